// Structured logs (pino). Secrets are wrapped in config/secret.ts and print as [redacted];
// the redact list below is a second net for headers and fields that carry credentials.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, component: string): Logger {
  return pino({
    level,
    base: { component },
    redact: {
      paths: ['authorization', '*.authorization', 'headers.authorization', 'apiKey', '*.apiKey', 'token', '*.token', 'secret', '*.secret'],
      censor: '[redacted]',
    },
  });
}
