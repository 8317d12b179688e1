// The only place that knows OTX's URLs and headers.
import { isIP } from 'node:net';
import type { Secret } from '../../config/secret.ts';
import { httpRequest } from '../shared/http.ts';
import type { RateLimiter } from '../shared/rate-limit.ts';
import type { OtxGeneral, OtxIndicatorKind, OtxPulsePage } from './types.ts';

export interface OtxClientOptions { baseUrl: string; apiKey: Secret; timeoutMs?: number; limiter?: RateLimiter }

/** A page of pulses with their indicators is large: a minute, not ten seconds. */
const FEED_TIMEOUT_MS = 60_000;

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

  /**
   * GET /api/v1/pulses/subscribed, the first page (`{ modifiedSince, limit }`) or the page a
   * previous answer's `next` names. Only `next`'s query is taken: the request always goes to the
   * configured base, so a link in an answer can never send the key elsewhere.
   */
  async subscribedPulses(page: { modifiedSince: string; limit: number } | { next: string }): Promise<OtxPulsePage> {
    const query = 'next' in page ? new URL(page.next).search : `?${new URLSearchParams({ modified_since: page.modifiedSince, limit: String(page.limit), page: '1' })}`;
    const res = await httpRequest<OtxPulsePage>({
      integration: 'otx',
      method: 'GET',
      url: `${this.opts.baseUrl}/api/v1/pulses/subscribed${query}`,
      headers: { 'X-OTX-API-KEY': this.opts.apiKey.reveal() },
      timeoutMs: this.opts.timeoutMs ?? FEED_TIMEOUT_MS,
      limiter: this.opts.limiter,
    });
    return res.status === 404 ? { results: [], next: null } : res.body;
  }
}
