// The only place that knows Kibana's Elastic Defend response-action URLs and headers.
import type { Secret } from '../../config/secret.ts';
import { httpRequest } from '../shared/http.ts';
import type { RateLimiter } from '../shared/rate-limit.ts';

export interface ElasticDefendClientOptions { kibanaUrl: string; authorization: Secret; timeoutMs?: number; limiter?: RateLimiter }
export interface ResponseAction { id: string; isCompleted: boolean; wasSuccessful: boolean; errors?: string[]; outputs?: Record<string, { type: string; content?: { code?: string; file_size?: number; path?: string } }> }

export class ElasticDefendClient {
  constructor(private readonly opts: ElasticDefendClientOptions) {}

  get authorization(): Secret {
    return this.opts.authorization;
  }

  async memoryDump(endpointId: string, comment: string, parameters: Record<string, unknown>): Promise<ResponseAction> {
    return ((await this.call<{ data: ResponseAction }>('POST', '/api/endpoint/action/memory_dump', { endpoint_ids: [endpointId], comment, parameters })) as { data: ResponseAction }).data;
  }

  /**
   * The endpoint (Elastic Agent) ids of hosts with this name: GET /api/endpoint/metadata with a
   * KQL filter on the host name (Kibana's documented endpoint list).
   */
  async findEndpoints(hostname: string): Promise<string[]> {
    const kuery = `united.endpoint.host.hostname:"${hostname.replace(/["\\]/g, '')}"`;
    const page = await this.call<{ data?: Array<{ metadata?: { agent?: { id?: string } } }> }>('GET', `/api/endpoint/metadata?${new URLSearchParams({ kuery, pageSize: '10' })}`);
    return (page?.data ?? []).flatMap((d) => (d.metadata?.agent?.id ? [d.metadata.agent.id] : []));
  }

  async action(actionId: string): Promise<ResponseAction | null> {
    return (await this.call<{ data: ResponseAction }>('GET', `/api/endpoint/action/${encodeURIComponent(actionId)}`))?.data ?? null;
  }

  fileUrl(actionId: string, agentId: string): string {
    return `${this.opts.kibanaUrl}/api/endpoint/action/${encodeURIComponent(actionId)}/file/${encodeURIComponent(`${actionId}.${agentId}`)}/download`;
  }

  private async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T | null> {
    const res = await httpRequest<T>({
      integration: 'elasticdefend',
      method,
      url: `${this.opts.kibanaUrl}${path}`,
      headers: { authorization: this.opts.authorization.reveal(), 'kbn-xsrf': 'riposte', 'elastic-api-version': '2023-10-31' },
      ...(body !== undefined ? { body } : {}),
      timeoutMs: this.opts.timeoutMs,
      limiter: this.opts.limiter,
    });
    return res.status === 404 ? null : res.body;
  }
}
