// Elasticsearch / OpenSearch `_search` as a hunting backend: indicators in, sightings out.
import { Secret } from '../../config/secret.ts';
import { checkHunt, mentions } from '../hunting/match.ts';
import type { HuntInput, HuntResult, HuntSighting } from '../hunting/types.ts';
import { integrationState, defineIntegration } from '../shared/integration.ts';
import { limiterFor } from '../shared/rate-limit.ts';
import { ElasticsearchClient, type EsHit } from './client.ts';
import { info } from './info.ts';

export { info };

export function elasticsearchFromEnv(env: Record<string, string | undefined>): ElasticsearchClient | undefined {
  const state = integrationState(info, env);
  if (!state.configured) return undefined;
  return new ElasticsearchClient({
    baseUrl: (env.ELASTICSEARCH_URL as string).replace(/\/+$/, ''),
    authorization: new Secret(env.ELASTICSEARCH_AUTHORIZATION as string),
    index: env.ELASTICSEARCH_INDEX ?? 'logs-*',
    timestampField: env.ELASTICSEARCH_TIMESTAMP_FIELD ?? '@timestamp',
    limiter: limiterFor(info.name, state.rateLimit),
  });
}

/** The host an ECS event is about: the host itself, else the client or source address. */
function hostOf(src: Record<string, unknown>): string | undefined {
  // ECS fields come nested ({"host": {"name": …}}) or flattened ({"host.name": …}).
  const get = (p: string) => src[p] ?? p.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), src);
  for (const p of ['host.name', 'host.hostname', 'client.ip', 'source.ip', 'host.ip']) {
    const v = get(p);
    if (typeof v === 'string') return v;
    if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
  }
  return undefined;
}

export function createElasticsearchActivities(deps: { client?: ElasticsearchClient }) {
  return {
    async elasticsearchHunt(input: HuntInput): Promise<HuntResult> {
      const { from, to, limit } = checkHunt(input);
      if (!deps.client) return { status: 'skipped', backend: 'elasticsearch', reason: 'Elasticsearch is not configured (ELASTICSEARCH_URL, ELASTICSEARCH_AUTHORIZATION)' };
      const res = await deps.client.search(input.indicators.map((o) => o.value), from.toISOString(), to.toISOString(), limit);
      const ts = deps.client.opts.timestampField;
      const sightings: HuntSighting[] = res.hits.hits.flatMap((hit: EsHit) => {
        const text = JSON.stringify(hit._source);
        const at = hit._source[ts];
        const host = hostOf(hit._source);
        return mentions(text, input.indicators).map((indicator) => ({
          indicator,
          at: typeof at === 'string' || typeof at === 'number' ? new Date(at).toISOString() : from.toISOString(),
          ...(host ? { host } : {}),
          backend: 'elasticsearch',
          where: hit._index,
          excerpt: text.slice(0, 500),
        }));
      });
      const total = typeof res.hits.total === 'number' ? res.hits.total : res.hits.total?.value ?? res.hits.hits.length;
      return { status: 'ok', backend: 'elasticsearch', sightings, truncated: total > res.hits.hits.length || res.timed_out === true, from: from.toISOString(), to: to.toISOString() };
    },
  };
}

/** Registered in activities/catalog.ts. */
export const integration = defineIntegration({ info, activities: (ctx) => createElasticsearchActivities({ client: elasticsearchFromEnv(ctx.env) }) });
