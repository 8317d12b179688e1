// Structured logs (pino): JSON lines, or readable lines on a terminal (RIPOSTE_LOG_FORMAT).
// Secrets are wrapped in config/secret.ts and print as [redacted]; the redact list below is a
// second net for headers and fields that carry credentials.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, component: string, format = process.env.RIPOSTE_LOG_FORMAT): Logger {
  const pretty = format === 'pretty' || (format !== 'json' && process.stdout.isTTY === true);
  return pino({
    level,
    base: { component },
    redact: {
      paths: ['authorization', '*.authorization', 'headers.authorization', 'apiKey', '*.apiKey', 'token', '*.token', 'secret', '*.secret'],
      censor: '[redacted]',
    },
    ...(pretty
      ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname,component', messageFormat: '{component}: {msg}', singleLine: true } } }
      : {}),
  });
}
