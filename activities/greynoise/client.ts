// The only place that knows GreyNoise's URLs and headers.
import type { Secret } from '../../config/secret.ts';
import { httpRequest } from '../shared/http.ts';
import type { RateLimiter } from '../shared/rate-limit.ts';
import type { GreyNoiseCommunity } from './types.ts';

export interface GreyNoiseClientOptions { baseUrl: string; apiKey: Secret; timeoutMs?: number; limiter?: RateLimiter }

export class GreyNoiseClient {
  constructor(private readonly opts: GreyNoiseClientOptions) {}

  /** The community view of an address; `found: false` when GreyNoise has never seen it (404). */
  async community(ip: string): Promise<{ found: boolean; body: GreyNoiseCommunity | null }> {
    const res = await httpRequest<GreyNoiseCommunity>({
      integration: 'greynoise',
      method: 'GET',
      url: `${this.opts.baseUrl}/v3/community/${encodeURIComponent(ip)}`,
      headers: { key: this.opts.apiKey.reveal() },
      timeoutMs: this.opts.timeoutMs,
      limiter: this.opts.limiter,
    });
    return { found: res.status !== 404, body: res.status === 404 ? null : res.body };
  }
}
