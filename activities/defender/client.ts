// The only place that knows Defender for Endpoint's URLs and headers (Entra ID client
// credentials for the api.securitycenter.microsoft.com scope, then Bearer).
import type { Secret } from '../../config/secret.ts';
import { httpRequest } from '../shared/http.ts';
import { oauthCall, TokenSource } from '../shared/oauth.ts';
import type { RateLimiter } from '../shared/rate-limit.ts';

export interface DefenderClientOptions { baseUrl: string; loginUrl: string; tenantId: string; clientId: string; clientSecret: Secret; timeoutMs?: number; limiter?: RateLimiter }

export interface MachineAction { id: string; type: string; status: string; machineId: string }
export interface Indicator { id: string | number; indicatorValue: string; indicatorType: string; action: string }

export class DefenderClient {
  private readonly tokens: TokenSource;

  constructor(private readonly opts: DefenderClientOptions) {
    this.tokens = new TokenSource({
      integration: 'defender',
      tokenUrl: `${opts.loginUrl}/${encodeURIComponent(opts.tenantId)}/oauth2/v2.0/token`,
      clientId: opts.clientId,
      clientSecret: opts.clientSecret,
      extra: { scope: 'https://api.securitycenter.microsoft.com/.default' },
      timeoutMs: opts.timeoutMs,
    });
  }

  async findMachines(computerDnsName: string): Promise<string[]> {
    const filter = `computerDnsName eq '${computerDnsName.replace(/'/g, "''")}'`;
    const res = await this.request<{ value: Array<{ id: string }> }>('GET', `/api/machines?${new URLSearchParams({ $filter: filter })}`);
    return (res?.value ?? []).map((m) => m.id);
  }

  /** Isolation actions of a machine, newest first. */
  async isolationActions(machineId: string): Promise<MachineAction[]> {
    const filter = `machineId eq '${machineId.replace(/'/g, "''")}' and (type eq 'Isolate' or type eq 'Unisolate')`;
    const res = await this.request<{ value: MachineAction[] }>('GET', `/api/machineactions?${new URLSearchParams({ $filter: filter, $orderby: 'creationDateTimeUtc desc', $top: '1' })}`);
    return res?.value ?? [];
  }

  async isolate(machineId: string, comment: string, isolationType: 'Full' | 'Selective'): Promise<MachineAction> {
    return (await this.request<MachineAction>('POST', `/api/machines/${encodeURIComponent(machineId)}/isolate`, { Comment: comment, IsolationType: isolationType })) as MachineAction;
  }

  async unisolate(machineId: string, comment: string): Promise<MachineAction> {
    return (await this.request<MachineAction>('POST', `/api/machines/${encodeURIComponent(machineId)}/unisolate`, { Comment: comment })) as MachineAction;
  }

  async collectInvestigationPackage(machineId: string, comment: string): Promise<MachineAction> {
    return (await this.request<MachineAction>('POST', `/api/machines/${encodeURIComponent(machineId)}/collectInvestigationPackage`, { Comment: comment })) as MachineAction;
  }

  async machineAction(actionId: string): Promise<MachineAction | null> {
    return this.request<MachineAction>('GET', `/api/machineactions/${encodeURIComponent(actionId)}`);
  }

  /** A short-lived download link for a finished package. */
  async packageUri(actionId: string): Promise<string> {
    return ((await this.request<{ value: string }>('GET', `/api/machineactions/${encodeURIComponent(actionId)}/GetPackageUri`)) as { value: string }).value;
  }

  async submitIndicator(body: Record<string, unknown>): Promise<Indicator> {
    return (await this.request<Indicator>('POST', '/api/indicators', body)) as Indicator;
  }

  /** True when it was there to delete. */
  async deleteIndicator(id: string): Promise<boolean> {
    const res = await httpRequest({ integration: 'defender', method: 'DELETE', url: `${this.opts.baseUrl}/api/indicators/${encodeURIComponent(id)}`, headers: { authorization: `Bearer ${await this.tokens.get()}` }, timeoutMs: this.opts.timeoutMs, limiter: this.opts.limiter });
    return res.status !== 404;
  }

  private async request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T | null> {
    return oauthCall<T>(this.tokens, { integration: 'defender', method, url: `${this.opts.baseUrl}${path}`, ...(body !== undefined ? { body } : {}), timeoutMs: this.opts.timeoutMs, limiter: this.opts.limiter });
  }

}
