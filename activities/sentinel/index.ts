// Microsoft Sentinel / Log Analytics KQL as a hunting backend: indicators in, sightings out.
import { Secret } from '../../config/secret.ts';
import { checkHunt, mentions } from '../hunting/match.ts';
import type { HuntInput, HuntResult, HuntSighting } from '../hunting/types.ts';
import { integrationState, defineIntegration } from '../shared/integration.ts';
import { limiterFor } from '../shared/rate-limit.ts';
import { SentinelClient } from './client.ts';
import { info } from './info.ts';

export { info };

export function sentinelFromEnv(env: Record<string, string | undefined>): { client: SentinelClient; tables?: string[] } | undefined {
  const state = integrationState(info, env);
  if (!state.configured) return undefined;
  const tables = env.SENTINEL_TABLES?.split(',').map((t) => t.trim()).filter((t) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(t));
  return {
    client: new SentinelClient({
      baseUrl: (env.SENTINEL_BASE_URL ?? 'https://api.loganalytics.azure.com').replace(/\/+$/, ''),
      loginUrl: (env.SENTINEL_LOGIN_URL ?? 'https://login.microsoftonline.com').replace(/\/+$/, ''),
      tenantId: env.SENTINEL_TENANT_ID as string,
      clientId: env.SENTINEL_CLIENT_ID as string,
      clientSecret: new Secret(env.SENTINEL_CLIENT_SECRET as string),
      workspaceId: env.SENTINEL_WORKSPACE_ID as string,
      limiter: limiterFor(info.name, state.rateLimit),
    }),
    ...(tables?.length ? { tables } : {}),
  };
}

/** A KQL string literal. */
export const kqlString = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

export function huntQuery(values: string[], limit: number, tables?: string[]): string {
  const where = tables?.length ? ` in (${tables.join(', ')})` : '';
  return `search${where} ${values.map(kqlString).join(' or ')}\n| sort by TimeGenerated asc\n| take ${limit + 1}`;
}

const HOST_COLUMNS = ['Computer', 'DeviceName', 'HostName', 'SrcIpAddr', 'SourceIP', 'ClientIP', 'IpAddress'];

export function createSentinelActivities(deps: { client?: SentinelClient; tables?: string[] }) {
  return {
    async sentinelHunt(input: HuntInput): Promise<HuntResult> {
      const { from, to, limit } = checkHunt(input);
      if (!deps.client) return { status: 'skipped', backend: 'sentinel', reason: 'Sentinel is not configured (SENTINEL_WORKSPACE_ID, SENTINEL_TENANT_ID, SENTINEL_CLIENT_ID, SENTINEL_CLIENT_SECRET)' };
      const rows = await deps.client.query(huntQuery(input.indicators.map((o) => o.value), limit, deps.tables), `${from.toISOString()}/${to.toISOString()}`);
      const sightings: HuntSighting[] = rows.slice(0, limit).flatMap((row) => {
        const text = JSON.stringify(row);
        const host = HOST_COLUMNS.map((c) => row[c]).find((v): v is string => typeof v === 'string' && v !== '');
        return mentions(text, input.indicators).map((indicator) => ({
          indicator,
          at: typeof row.TimeGenerated === 'string' ? new Date(row.TimeGenerated).toISOString() : from.toISOString(),
          ...(host ? { host } : {}),
          backend: 'sentinel',
          where: String(row.$table ?? row.Type ?? 'workspace'),
          excerpt: text.slice(0, 500),
        }));
      });
      return { status: 'ok', backend: 'sentinel', sightings, truncated: rows.length > limit, from: from.toISOString(), to: to.toISOString() };
    },
  };
}

/** Registered in activities/catalog.ts. */
export const integration = defineIntegration({ info, activities: (ctx) => createSentinelActivities(sentinelFromEnv(ctx.env) ?? {}) });
