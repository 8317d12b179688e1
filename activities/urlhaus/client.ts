// The only place that knows URLhaus's URLs and headers.
import type { Secret } from '../../config/secret.ts';
import { httpRequest } from '../shared/http.ts';
import type { RateLimiter } from '../shared/rate-limit.ts';
import type { UrlhausHost, UrlhausRecent, UrlhausUrl } from './types.ts';

export interface UrlhausClientOptions { baseUrl: string; authKey: Secret; timeoutMs?: number; limiter?: RateLimiter }

/** URLhaus answers at most this many recent URLs, however many are asked for. */
export const RECENT_MAX = 1000;

/** A thousand URLs is a larger answer than a lookup: a minute, not ten seconds. */
const FEED_TIMEOUT_MS = 60_000;

export class UrlhausClient {
  constructor(private readonly opts: UrlhausClientOptions) {}

  host(host: string): Promise<UrlhausHost> {
    return this.post<UrlhausHost>('/v1/host/', new URLSearchParams({ host }));
  }

  url(url: string): Promise<UrlhausUrl> {
    return this.post<UrlhausUrl>('/v1/url/', new URLSearchParams({ url }));
  }

  /** GET /v1/urls/recent/limit/<n>/: the `n` (1–1000) URLs most recently added, newest first. */
  async recentUrls(n: number): Promise<UrlhausRecent> {
    const res = await httpRequest<UrlhausRecent>({
      integration: 'urlhaus',
      method: 'GET',
      url: `${this.opts.baseUrl}/v1/urls/recent/limit/${Math.min(Math.max(1, Math.floor(n)), RECENT_MAX)}/`,
      headers: { 'Auth-Key': this.opts.authKey.reveal() },
      timeoutMs: this.opts.timeoutMs ?? FEED_TIMEOUT_MS,
      limiter: this.opts.limiter,
    });
    return res.status === 404 ? { query_status: 'no_results' } : res.body;
  }

  private async post<T>(path: string, form: URLSearchParams): Promise<T> {
    const res = await httpRequest<T>({
      integration: 'urlhaus',
      method: 'POST',
      url: `${this.opts.baseUrl}${path}`,
      headers: { 'Auth-Key': this.opts.authKey.reveal() },
      body: form,
      timeoutMs: this.opts.timeoutMs,
      limiter: this.opts.limiter,
    });
    return (res.status === 404 ? { query_status: 'no_results' } : res.body) as T;
  }
}
