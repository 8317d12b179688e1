// The only place that knows OTX's URLs and headers.
import { isIP } from 'node:net';
import type { Secret } from '../../config/secret.ts';
import { httpRequest } from '../shared/http.ts';
import type { RateLimiter } from '../shared/rate-limit.ts';
import type { OtxGeneral, OtxIndicatorKind } from './types.ts';

export interface OtxClientOptions { baseUrl: string; apiKey: Secret; timeoutMs?: number; limiter?: RateLimiter }

/** OTX's path segment for each kind of indicator. */
export function otxSection(kind: OtxIndicatorKind, value: string): string {
  if (kind === 'ip') return isIP(value) === 6 ? 'IPv6' : 'IPv4';
  return kind === 'hash' ? 'file' : kind;
}

export class OtxClient {
  constructor(private readonly opts: OtxClientOptions) {}

  /** null when OTX does not know the indicator (404). */
  async general(kind: OtxIndicatorKind, value: string): Promise<OtxGeneral | null> {
    const res = await httpRequest<OtxGeneral>({
      integration: 'otx',
      method: 'GET',
      url: `${this.opts.baseUrl}/api/v1/indicators/${otxSection(kind, value)}/${encodeURIComponent(value)}/general`,
      headers: { 'X-OTX-API-KEY': this.opts.apiKey.reveal() },
      timeoutMs: this.opts.timeoutMs,
      limiter: this.opts.limiter,
    });
    return res.status === 404 ? null : res.body;
  }
}
