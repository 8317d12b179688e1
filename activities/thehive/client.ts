// The only place that knows TheHive 5's API URLs and headers (Bearer API key).
import type { Secret } from '../../config/secret.ts';
import { httpRequest } from '../shared/http.ts';
import type { RateLimiter } from '../shared/rate-limit.ts';

export interface TheHiveClientOptions { baseUrl: string; apiKey: Secret; organisation?: string; timeoutMs?: number; limiter?: RateLimiter }
export interface HiveAlert { _id: string; caseId?: string; sourceRef: string }
export interface HiveCase { _id: string; number: number; stage?: string; status?: string }

export class TheHiveClient {
  constructor(readonly opts: TheHiveClientOptions) {}

  async findAlert(source: string, sourceRef: string): Promise<HiveAlert | null> {
    const res = await this.call<HiveAlert[]>('POST', '/api/v1/query?name=riposte-find-alert', {
      query: [{ _name: 'listAlert' }, { _name: 'filter', _and: [{ _field: 'source', _value: source }, { _field: 'sourceRef', _value: sourceRef }] }, { _name: 'page', from: 0, to: 1 }],
    });
    return res?.[0] ?? null;
  }

  async createAlert(alert: Record<string, unknown>): Promise<HiveAlert> {
    return (await this.call<HiveAlert>('POST', '/api/v1/alert', alert)) as HiveAlert;
  }

  /** Promotes an alert to a case (or answers the case it already became). */
  async promote(alertId: string): Promise<HiveCase> {
    return (await this.call<HiveCase>('POST', `/api/v1/alert/${encodeURIComponent(alertId)}/case`, {})) as HiveCase;
  }

  async getCase(caseId: string): Promise<HiveCase | null> {
    return this.call<HiveCase>('GET', `/api/v1/case/${encodeURIComponent(caseId)}`);
  }

  async comments(caseId: string): Promise<Array<{ _id: string; message: string }>> {
    return (await this.call<Array<{ _id: string; message: string }>>('POST', '/api/v1/query?name=riposte-case-comments', {
      query: [{ _name: 'getCase', idOrName: caseId }, { _name: 'comments' }, { _name: 'page', from: 0, to: 1000 }],
    })) ?? [];
  }

  async addComment(caseId: string, message: string): Promise<{ _id: string }> {
    return (await this.call<{ _id: string }>('POST', `/api/v1/case/${encodeURIComponent(caseId)}/comment`, { message })) as { _id: string };
  }

  async updateCase(caseId: string, fields: Record<string, unknown>): Promise<void> {
    await this.call('PATCH', `/api/v1/case/${encodeURIComponent(caseId)}`, fields);
  }

  async addObservables(caseId: string, observable: Record<string, unknown>): Promise<Array<{ _id: string }>> {
    return (await this.call<Array<{ _id: string }>>('POST', `/api/v1/case/${encodeURIComponent(caseId)}/observable`, observable)) ?? [];
  }

  caseUrl(caseId: string): string {
    return `${this.opts.baseUrl}/cases/${caseId}/details`;
  }

  private async call<T>(method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown): Promise<T | null> {
    const res = await httpRequest<T>({
      integration: 'thehive',
      method,
      url: `${this.opts.baseUrl}${path}`,
      headers: { authorization: `Bearer ${this.opts.apiKey.reveal()}`, ...(this.opts.organisation ? { 'X-Organisation': this.opts.organisation } : {}) },
      ...(body !== undefined ? { body } : {}),
      timeoutMs: this.opts.timeoutMs,
      limiter: this.opts.limiter,
    });
    return res.status === 404 ? null : res.body;
  }
}
