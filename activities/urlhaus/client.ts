// The only place that knows URLhaus's URLs and headers.
import type { Secret } from '../../config/secret.ts';
import { httpRequest } from '../shared/http.ts';
import type { RateLimiter } from '../shared/rate-limit.ts';
import type { UrlhausHost, UrlhausUrl } from './types.ts';

export interface UrlhausClientOptions { baseUrl: string; authKey: Secret; timeoutMs?: number; limiter?: RateLimiter }

export class UrlhausClient {
  constructor(private readonly opts: UrlhausClientOptions) {}

  host(host: string): Promise<UrlhausHost> {
    return this.post<UrlhausHost>('/v1/host/', new URLSearchParams({ host }));
  }

  url(url: string): Promise<UrlhausUrl> {
    return this.post<UrlhausUrl>('/v1/url/', new URLSearchParams({ url }));
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
