// The only place that knows Falcon's URLs and headers (OAuth2 client credentials, then Bearer).
import type { Secret } from '../../config/secret.ts';
import { httpRequest } from '../shared/http.ts';
import { TokenSource } from '../shared/oauth.ts';
import type { RateLimiter } from '../shared/rate-limit.ts';

export interface FalconClientOptions { baseUrl: string; clientId: string; clientSecret: Secret; timeoutMs?: number; limiter?: RateLimiter }

export class FalconClient {
  private readonly tokens: TokenSource;

  constructor(private readonly opts: FalconClientOptions) {
    this.tokens = new TokenSource({ integration: 'crowdstrike', tokenUrl: `${opts.baseUrl}/oauth2/token`, clientId: opts.clientId, clientSecret: opts.clientSecret, timeoutMs: opts.timeoutMs });
  }

  /** Agent ids of hosts with this hostname. */
  async findDevices(hostname: string): Promise<string[]> {
    const filter = `hostname:'${hostname.replace(/['\\]/g, '')}'`;
    const res = await this.request<{ resources?: string[] }>('GET', `/devices/queries/devices/v1?${new URLSearchParams({ filter })}`);
    return res?.resources ?? [];
  }

  /** The device's `status`: normal, containment_pending, contained, lift_containment_pending. */
  async deviceStatus(id: string): Promise<string | undefined> {
    const res = await this.request<{ resources?: Array<{ device_id: string; status?: string }> }>('GET', `/devices/entities/devices/v2?${new URLSearchParams({ ids: id })}`);
    return res?.resources?.[0]?.status;
  }

  async deviceAction(action: 'contain' | 'lift_containment', id: string): Promise<void> {
    await this.request('POST', `/devices/entities/devices-actions/v2?action_name=${action}`, { ids: [id] });
  }

  private async request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T | null> {
    const res = await httpRequest<T>({
      integration: 'crowdstrike',
      method,
      url: `${this.opts.baseUrl}${path}`,
      headers: { authorization: `Bearer ${await this.tokens.get()}` },
      ...(body !== undefined ? { body } : {}),
      timeoutMs: this.opts.timeoutMs,
      limiter: this.opts.limiter,
    }).catch((err: unknown) => {
      if ((err as { type?: string }).type === 'IntegrationAuthError') this.tokens.reset();
      throw err;
    });
    return res.status === 404 ? null : res.body;
  }
}
