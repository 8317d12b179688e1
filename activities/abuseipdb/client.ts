// The only place that knows AbuseIPDB's URLs and headers.
import type { Secret } from '../../config/secret.ts';
import { httpRequest } from '../shared/http.ts';
import type { RateLimiter } from '../shared/rate-limit.ts';
import type { AbuseIpDbCheck } from './types.ts';

export interface AbuseIpDbClientOptions { baseUrl: string; apiKey: Secret; maxAgeInDays: number; timeoutMs?: number; limiter?: RateLimiter }

export class AbuseIpDbClient {
  constructor(private readonly opts: AbuseIpDbClientOptions) {}

  async check(ip: string): Promise<AbuseIpDbCheck | null> {
    const query = new URLSearchParams({ ipAddress: ip, maxAgeInDays: String(this.opts.maxAgeInDays) });
    const res = await httpRequest<AbuseIpDbCheck>({
      integration: 'abuseipdb',
      method: 'GET',
      url: `${this.opts.baseUrl}/check?${query}`,
      headers: { Key: this.opts.apiKey.reveal() },
      timeoutMs: this.opts.timeoutMs,
      limiter: this.opts.limiter,
    });
    return res.status === 404 ? null : res.body;
  }
}
