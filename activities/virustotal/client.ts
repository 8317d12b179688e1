// The only place that knows VirusTotal's URLs and headers.
import { httpRequest } from '../shared/http.ts';
import type { RateLimiter } from '../shared/rate-limit.ts';
import type { Secret } from '../../config/secret.ts';
import type { VtObject } from './types.ts';

export interface VirusTotalClientOptions { baseUrl: string; apiKey: Secret; timeoutMs?: number; limiter?: RateLimiter }

export class VirusTotalClient {
  constructor(private readonly opts: VirusTotalClientOptions) {}

  /** null when VirusTotal has no record of the domain (HTTP 404). */
  getDomain(domain: string): Promise<VtObject | null> {
    return this.get(`/domains/${encodeURIComponent(domain)}`);
  }

  getIpAddress(ip: string): Promise<VtObject | null> {
    return this.get(`/ip_addresses/${encodeURIComponent(ip)}`);
  }

  /** URLs are addressed by their unpadded base64url form. */
  getUrl(url: string): Promise<VtObject | null> {
    return this.get(`/urls/${Buffer.from(url).toString('base64url')}`);
  }

  /** A file by its MD5, SHA-1 or SHA-256. */
  getFile(hash: string): Promise<VtObject | null> {
    return this.get(`/files/${encodeURIComponent(hash)}`);
  }

  private async get(path: string): Promise<VtObject | null> {
    const res = await httpRequest<VtObject>({
      integration: 'virustotal',
      method: 'GET',
      url: `${this.opts.baseUrl}${path}`,
      headers: { 'x-apikey': this.opts.apiKey.reveal() },
      timeoutMs: this.opts.timeoutMs,
      limiter: this.opts.limiter,
    });
    return res.status === 404 ? null : res.body;
  }
}
