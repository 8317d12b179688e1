// The only place that knows PagerDuty's Events API URL and body.
import type { Secret } from '../../config/secret.ts';
import { httpRequest } from '../shared/http.ts';
import type { RateLimiter } from '../shared/rate-limit.ts';
import type { PageInput } from './types.ts';

export interface PagerDutyClientOptions { baseUrl: string; routingKey: Secret; timeoutMs?: number; limiter?: RateLimiter }

export class PagerDutyClient {
  constructor(private readonly opts: PagerDutyClientOptions) {}

  /** POST /v2/enqueue; PagerDuty answers 202 with the dedup key. */
  async enqueue(e: PageInput): Promise<{ dedup_key: string }> {
    const res = await httpRequest<{ status: string; message: string; dedup_key: string }>({
      integration: 'pagerduty',
      method: 'POST',
      url: `${this.opts.baseUrl}/v2/enqueue`,
      body: {
        routing_key: this.opts.routingKey.reveal(),
        event_action: e.action,
        dedup_key: e.dedupKey,
        ...(e.action === 'trigger'
          ? {
              payload: { summary: (e.summary ?? '').slice(0, 1024), source: e.source ?? 'riposte', severity: e.severity ?? 'error', component: 'riposte', ...(e.details ? { custom_details: e.details } : {}) },
              ...(e.link ? { links: [e.link] } : {}),
            }
          : {}),
      },
      timeoutMs: this.opts.timeoutMs,
      limiter: this.opts.limiter,
    });
    return { dedup_key: res.body?.dedup_key ?? e.dedupKey };
  }
}
