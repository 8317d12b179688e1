// The only place that knows ServiceNow's Table API URLs and headers (basic auth).
import type { Secret } from '../../config/secret.ts';
import { httpRequest } from '../shared/http.ts';
import type { RateLimiter } from '../shared/rate-limit.ts';

export interface ServiceNowClientOptions { baseUrl: string; username: string; password: Secret; table: string; timeoutMs?: number; limiter?: RateLimiter }
export interface SnRecord { sys_id: string; number?: string; state?: string }

export class ServiceNowClient {
  constructor(readonly opts: ServiceNowClientOptions) {}

  async find(query: string, fields = 'sys_id,number,state'): Promise<SnRecord | null> {
    const q = new URLSearchParams({ sysparm_query: query, sysparm_limit: '1', sysparm_fields: fields });
    const res = await this.call<{ result: SnRecord[] }>('GET', `/api/now/table/${this.opts.table}?${q}`);
    return res?.result?.[0] ?? null;
  }

  async create(fields: Record<string, unknown>): Promise<SnRecord> {
    return (await this.call<{ result: SnRecord }>('POST', `/api/now/table/${this.opts.table}?sysparm_fields=sys_id,number,state`, fields))?.result as SnRecord;
  }

  async update(sysId: string, fields: Record<string, unknown>): Promise<SnRecord> {
    return (await this.call<{ result: SnRecord }>('PATCH', `/api/now/table/${this.opts.table}/${encodeURIComponent(sysId)}?sysparm_fields=sys_id,number,state`, fields))?.result as SnRecord;
  }

  /** The record's work notes containing `marker` (journal entries). */
  async workNotesContaining(sysId: string, marker: string): Promise<Array<{ sys_id: string }>> {
    const q = new URLSearchParams({ sysparm_query: `element_id=${sysId}^element=work_notes^valueLIKE${marker}`, sysparm_fields: 'sys_id', sysparm_limit: '1' });
    return (await this.call<{ result: Array<{ sys_id: string }> }>('GET', `/api/now/table/sys_journal_field?${q}`))?.result ?? [];
  }

  recordUrl(sysId: string): string {
    return `${this.opts.baseUrl}/nav_to.do?uri=${this.opts.table}.do?sys_id=${sysId}`;
  }

  private async call<T>(method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown): Promise<T | null> {
    const basic = Buffer.from(`${this.opts.username}:${this.opts.password.reveal()}`).toString('base64');
    const res = await httpRequest<T>({
      integration: 'servicenow',
      method,
      url: `${this.opts.baseUrl}${path}`,
      headers: { authorization: `Basic ${basic}` },
      ...(body !== undefined ? { body } : {}),
      timeoutMs: this.opts.timeoutMs,
      limiter: this.opts.limiter,
    });
    return res.status === 404 ? null : res.body;
  }
}
