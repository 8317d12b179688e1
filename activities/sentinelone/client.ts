// The only place that knows SentinelOne's management API URLs and headers (ApiToken auth).
import type { Secret } from '../../config/secret.ts';
import { httpRequest } from '../shared/http.ts';
import type { RateLimiter } from '../shared/rate-limit.ts';

export interface SentinelOneClientOptions { baseUrl: string; apiToken: Secret; timeoutMs?: number; limiter?: RateLimiter }
export interface S1Agent { id: string; uuid: string; computerName: string; networkStatus: 'connected' | 'connecting' | 'disconnected' | 'disconnecting' | string }

export class SentinelOneClient {
  constructor(private readonly opts: SentinelOneClientOptions) {}

  async agents(filter: { id: string } | { computerName: string }): Promise<S1Agent[]> {
    const q = new URLSearchParams('id' in filter ? { ids: filter.id } : { computerName: filter.computerName });
    const res = await this.request<{ data: S1Agent[] }>('GET', `/web/api/v2.1/agents?${q}`);
    return res?.data ?? [];
  }

  /** disconnect (network quarantine) or connect (release); answers how many agents it affected. */
  async action(action: 'disconnect' | 'connect', agentId: string): Promise<number> {
    const res = await this.request<{ data: { affected: number } }>('POST', `/web/api/v2.1/agents/actions/${action}`, { filter: { ids: [agentId] } });
    return res?.data?.affected ?? 0;
  }

  private async request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T | null> {
    const res = await httpRequest<T>({
      integration: 'sentinelone',
      method,
      url: `${this.opts.baseUrl}${path}`,
      headers: { authorization: `ApiToken ${this.opts.apiToken.reveal()}` },
      ...(body !== undefined ? { body } : {}),
      timeoutMs: this.opts.timeoutMs,
      limiter: this.opts.limiter,
    });
    return res.status === 404 ? null : res.body;
  }
}
