// E-mail over SMTP (nodemailer): tell people what a case is doing. The Message-ID derives from
// the idempotency key, so a retried send that did reach the server is one message to every
// mail client (they thread and de-duplicate by Message-ID).
import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import nodemailer, { type Transporter } from 'nodemailer';
import { Secret } from '../../config/secret.ts';
import { ErrorType } from '../shared/errors.ts';
import { integrationState, defineIntegration } from '../shared/integration.ts';
import { limiterFor, type RateLimiter } from '../shared/rate-limit.ts';
import { info } from './info.ts';

export { info };

export interface EmailOptions {
  transport: Transporter;
  from: string;
  defaultTo: string[];
  limiter?: RateLimiter;
}

export function emailFromEnv(env: Record<string, string | undefined>): EmailOptions | undefined {
  const state = integrationState(info, env);
  if (!state.configured) return undefined;
  const password = env.SMTP_PASSWORD ? new Secret(env.SMTP_PASSWORD) : undefined;
  return {
    transport: nodemailer.createTransport({
      host: env.SMTP_HOST,
      port: Number(env.SMTP_PORT ?? (env.SMTP_SECURE === 'true' ? 465 : 587)),
      secure: env.SMTP_SECURE === 'true',
      ...(env.SMTP_USER ? { auth: { user: env.SMTP_USER, pass: password?.reveal() ?? '' } } : {}),
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    }),
    from: env.SMTP_FROM as string,
    defaultTo: (env.SMTP_TO ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    limiter: limiterFor(info.name, state.rateLimit),
  };
}

export interface SendEmailInput {
  to?: string[];
  subject: string;
  text: string;
  idempotencyKey: string;
}

export type SendEmailResult = { status: 'ok'; messageId: string; accepted: string[]; rejected: string[] } | { status: 'skipped'; reason: string };

const ADDRESS = /^[^\s@<>]+@[^\s@<>]+$/;

export function createEmailActivities(deps: { email?: EmailOptions }) {
  return {
    async emailSend(input: SendEmailInput): Promise<SendEmailResult> {
      if (!input.subject?.trim() || !input.text?.trim()) throw invalid('subject and text are required');
      if (!input.idempotencyKey) throw invalid('idempotencyKey is required');
      if (!deps.email) return { status: 'skipped', reason: 'e-mail is not configured (SMTP_HOST, SMTP_FROM)' };
      const to = input.to?.length ? input.to : deps.email.defaultTo;
      if (to.length === 0 || to.some((a) => !ADDRESS.test(a))) throw invalid('to must be e-mail addresses (or set SMTP_TO)');
      const messageId = `<${createHash('sha256').update(input.idempotencyKey).digest('hex').slice(0, 32)}@riposte>`;
      const send = () => deps.email!.transport.sendMail({ from: deps.email!.from, to, subject: input.subject.slice(0, 250), text: input.text, messageId, headers: { 'X-Riposte-Key': createHash('sha256').update(input.idempotencyKey).digest('hex').slice(0, 16) } });
      try {
        const sent = deps.email.limiter ? await deps.email.limiter.run(send) : await send();
        return { status: 'ok', messageId, accepted: (sent.accepted ?? []).map(String), rejected: (sent.rejected ?? []).map(String) };
      } catch (err) {
        throw mapSmtpError(err);
      }
    },
  };
}

/** nodemailer's error codes and the server's reply code → the usual failure types. */
export function mapSmtpError(err: unknown): ApplicationFailure {
  const e = err as { code?: string; responseCode?: number; message?: string };
  const what = `email: ${e.code ?? 'error'}${e.responseCode ? ` ${e.responseCode}` : ''}`;
  if (e.code === 'EAUTH') return ApplicationFailure.create({ type: ErrorType.auth, message: `${what}: the server refused the login`, nonRetryable: true });
  if (e.responseCode && e.responseCode >= 500) return ApplicationFailure.create({ type: ErrorType.request, message: `${what}: the server refused the message`, nonRetryable: true });
  return ApplicationFailure.create({ type: ErrorType.unavailable, message: `${what}: could not deliver now` });
}

function invalid(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`email: ${message}`, ErrorType.invalidInput);
}

/** Registered in activities/catalog.ts. */
export const integration = defineIntegration({ info, activities: (ctx) => createEmailActivities({ email: emailFromEnv(ctx.env) }) });
