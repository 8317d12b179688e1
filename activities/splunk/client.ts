// The only place that knows Splunk's search URL and headers.
import type { Secret } from '../../config/secret.ts';
import { httpRequest } from '../shared/http.ts';
import type { RateLimiter } from '../shared/rate-limit.ts';

export interface SplunkResult { _time?: string; _raw?: string; host?: string; source?: string; sourcetype?: string; index?: string; [field: string]: unknown }
export interface SplunkOneshot { results: SplunkResult[]; messages?: Array<{ type: string; text: string }> }

export interface SplunkClientOptions { baseUrl: string; token: Secret; index: string; timeoutMs?: number; limiter?: RateLimiter }

/** Splunk's default time_format, %FT%T.%Q%:z, for UTC. */
const splunkTime = (iso: string) => iso.replace('Z', '+00:00');

export class SplunkClient {
  constructor(private readonly opts: SplunkClientOptions) {}

  /** A oneshot search (answered in the same request, JSON) for events mentioning any of the values. */
  async oneshot(values: string[], from: string, to: string, count: number): Promise<SplunkOneshot> {
    const terms = values.map((v) => `"${v.replace(/["\\]/g, '\\$&')}"`).join(' OR ');
    const res = await httpRequest<SplunkOneshot>({
      integration: 'splunk',
      method: 'POST',
      url: `${this.opts.baseUrl}/services/search/jobs`,
      headers: { authorization: `Bearer ${this.opts.token.reveal()}` },
      body: new URLSearchParams({
        search: `search index=${this.opts.index} (${terms}) | sort 0 _time`,
        exec_mode: 'oneshot',
        output_mode: 'json',
        earliest_time: splunkTime(from),
        latest_time: splunkTime(to),
        count: String(count),
      }),
      timeoutMs: this.opts.timeoutMs ?? 60_000,
      limiter: this.opts.limiter,
    });
    return res.status === 404 ? { results: [] } : res.body;
  }
}
