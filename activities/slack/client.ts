// The only place that knows Slack's Web API URLs and headers. Slack answers most errors with
// HTTP 200 and {"ok": false, "error": "…"}: they are mapped here to the usual failure types.
import { ApplicationFailure } from '@temporalio/common';
import type { Secret } from '../../config/secret.ts';
import { ErrorType } from '../shared/errors.ts';
import { httpRequest } from '../shared/http.ts';
import type { RateLimiter } from '../shared/rate-limit.ts';
import type { SlackMessage } from './types.ts';

export interface SlackClientOptions { baseUrl: string; botToken: Secret; timeoutMs?: number; limiter?: RateLimiter }

const AUTH = new Set(['not_authed', 'invalid_auth', 'account_inactive', 'token_revoked', 'token_expired', 'missing_scope', 'no_permission', 'ekm_access_denied']);
const TRANSIENT = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

type SlackAnswer = { ok: boolean; error?: string; [k: string]: unknown };

export class SlackClient {
  constructor(private readonly opts: SlackClientOptions) {}

  async postMessage(body: Record<string, unknown>): Promise<{ channel: string; ts: string }> {
    const res = await this.call<{ channel: string; ts: string }>('chat.postMessage', 'POST', body);
    return { channel: res.channel, ts: res.ts };
  }

  /** Recent messages of a channel with their metadata (finds a message Riposte already sent). */
  async recentMessages(channel: string, limit = 100): Promise<SlackMessage[]> {
    const q = new URLSearchParams({ channel, limit: String(limit), include_all_metadata: 'true' });
    return (await this.call<{ messages?: SlackMessage[] }>(`conversations.history?${q}`, 'GET')).messages ?? [];
  }

  private async call<T>(method: string, verb: 'GET' | 'POST', body?: unknown): Promise<T & SlackAnswer> {
    const res = await httpRequest<T & SlackAnswer>({
      integration: 'slack',
      method: verb,
      url: `${this.opts.baseUrl}/api/${method}`,
      headers: { authorization: `Bearer ${this.opts.botToken.reveal()}` },
      ...(body !== undefined ? { body } : {}),
      timeoutMs: this.opts.timeoutMs,
      limiter: this.opts.limiter,
    });
    const answer = res.body;
    if (answer?.ok) return answer;
    const error = answer?.error ?? `HTTP ${res.status}`;
    const name = method.split('?')[0];
    if (AUTH.has(error)) throw ApplicationFailure.create({ type: ErrorType.auth, message: `slack: ${name} refused: ${error}`, nonRetryable: true });
    if (TRANSIENT.has(error)) throw ApplicationFailure.create({ type: ErrorType.unavailable, message: `slack: ${name} failed: ${error}` });
    throw ApplicationFailure.create({ type: ErrorType.request, message: `slack: ${name} refused: ${error}`, nonRetryable: true });
  }
}
