// The only place that knows the Log Analytics query API (Microsoft Sentinel's workspace):
// Entra ID client credentials for the api.loganalytics.io scope, then Bearer.
import type { Secret } from '../../config/secret.ts';
import { oauthCall, TokenSource } from '../shared/oauth.ts';
import type { RateLimiter } from '../shared/rate-limit.ts';

export interface LaTable { name: string; columns: Array<{ name: string; type: string }>; rows: unknown[][] }

export interface SentinelClientOptions { baseUrl: string; loginUrl: string; tenantId: string; clientId: string; clientSecret: Secret; workspaceId: string; timeoutMs?: number; limiter?: RateLimiter }

export class SentinelClient {
  private readonly tokens: TokenSource;

  constructor(private readonly opts: SentinelClientOptions) {
    this.tokens = new TokenSource({
      integration: 'sentinel',
      tokenUrl: `${opts.loginUrl}/${encodeURIComponent(opts.tenantId)}/oauth2/v2.0/token`,
      clientId: opts.clientId,
      clientSecret: opts.clientSecret,
      extra: { scope: 'https://api.loganalytics.io/.default' },
      timeoutMs: opts.timeoutMs,
    });
  }

  /** Runs KQL over an ISO 8601 interval (`<from>/<to>`); rows come back as objects. */
  async query(kql: string, timespan: string): Promise<Array<Record<string, unknown>>> {
    const body = await oauthCall<{ tables?: LaTable[] }>(this.tokens, {
      integration: 'sentinel',
      method: 'POST',
      url: `${this.opts.baseUrl}/v1/workspaces/${encodeURIComponent(this.opts.workspaceId)}/query`,
      body: { query: kql, timespan },
      timeoutMs: this.opts.timeoutMs ?? 60_000,
      limiter: this.opts.limiter,
    });
    const table = body?.tables?.[0];
    if (!table) return [];
    return table.rows.map((row) => Object.fromEntries(table.columns.map((c, i) => [c.name, row[i]])));
  }
}
