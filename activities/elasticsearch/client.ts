// The only place that knows Elasticsearch's (and OpenSearch's) search URL and headers.
import type { Secret } from '../../config/secret.ts';
import { httpRequest } from '../shared/http.ts';
import type { RateLimiter } from '../shared/rate-limit.ts';

export interface EsHit { _index: string; _id: string; _source: Record<string, unknown> }
export interface EsSearchResponse { timed_out?: boolean; hits: { total?: { value: number; relation: string } | number; hits: EsHit[] } }

export interface ElasticsearchClientOptions {
  baseUrl: string;
  /** The whole Authorization header value: `ApiKey <base64 id:key>` or `Basic <base64 user:password>`. */
  authorization: Secret;
  index: string;
  timestampField: string;
  timeoutMs?: number;
  limiter?: RateLimiter;
}

export class ElasticsearchClient {
  constructor(readonly opts: ElasticsearchClientOptions) {}

  /** Events in the window mentioning any of the values (phrase match on every field). */
  async search(values: string[], from: string, to: string, size: number): Promise<EsSearchResponse> {
    const ts = this.opts.timestampField;
    const res = await httpRequest<EsSearchResponse>({
      integration: 'elasticsearch',
      method: 'POST',
      url: `${this.opts.baseUrl}/${encodeURIComponent(this.opts.index).replace(/%2C/g, ',').replace(/%2A/g, '*')}/_search`,
      headers: { authorization: this.opts.authorization.reveal() },
      body: {
        size,
        sort: [{ [ts]: 'asc' }],
        query: {
          bool: {
            filter: [{ range: { [ts]: { gte: from, lte: to } } }],
            should: values.map((v) => ({ multi_match: { query: v, type: 'phrase', fields: ['*'], lenient: true } })),
            minimum_should_match: 1,
          },
        },
      },
      timeoutMs: this.opts.timeoutMs ?? 30_000,
      limiter: this.opts.limiter,
    });
    return res.status === 404 ? { hits: { hits: [] } } : res.body;
  }
}
