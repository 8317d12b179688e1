// Splunk search (oneshot, JSON output) as a hunting backend: indicators in, sightings out.
import { Secret } from '../../config/secret.ts';
import { checkHunt, mentions } from '../hunting/match.ts';
import type { HuntInput, HuntResult, HuntSighting } from '../hunting/types.ts';
import { integrationState, defineIntegration } from '../shared/integration.ts';
import { limiterFor } from '../shared/rate-limit.ts';
import { SplunkClient, type SplunkResult } from './client.ts';
import { info } from './info.ts';

export { info };

export function splunkFromEnv(env: Record<string, string | undefined>): SplunkClient | undefined {
  const state = integrationState(info, env);
  if (!state.configured) return undefined;
  return new SplunkClient({
    baseUrl: (env.SPLUNK_URL as string).replace(/\/+$/, ''),
    token: new Secret(env.SPLUNK_TOKEN as string),
    index: env.SPLUNK_INDEX ?? '*',
    limiter: limiterFor(info.name, state.rateLimit),
  });
}

/** The client the event is about (CIM src fields), else the reporting host. */
function hostOf(r: SplunkResult): string | undefined {
  for (const f of ['src', 'src_ip', 'client_ip', 'c_ip', 'host']) if (typeof r[f] === 'string' && r[f]) return r[f] as string;
  return undefined;
}

export function createSplunkActivities(deps: { client?: SplunkClient }) {
  return {
    async splunkHunt(input: HuntInput): Promise<HuntResult> {
      const { from, to, limit } = checkHunt(input);
      if (!deps.client) return { status: 'skipped', backend: 'splunk', reason: 'Splunk is not configured (SPLUNK_URL, SPLUNK_TOKEN)' };
      const res = await deps.client.oneshot(input.indicators.map((o) => o.value), from.toISOString(), to.toISOString(), limit + 1);
      const rows = res.results.slice(0, limit);
      const sightings: HuntSighting[] = rows.flatMap((r) => {
        const text = r._raw ?? JSON.stringify(r);
        const host = hostOf(r);
        return mentions(text, input.indicators).map((indicator) => ({
          indicator,
          at: r._time ? new Date(r._time).toISOString() : from.toISOString(),
          ...(host ? { host } : {}),
          backend: 'splunk',
          where: [r.index, r.sourcetype, r.source].filter(Boolean).join(' '),
          excerpt: text.slice(0, 500),
        }));
      });
      return { status: 'ok', backend: 'splunk', sightings, truncated: res.results.length > limit, from: from.toISOString(), to: to.toISOString() };
    },
  };
}

/** Registered in activities/catalog.ts. */
export const integration = defineIntegration({ info, activities: (ctx) => createSplunkActivities({ client: splunkFromEnv(ctx.env) }) });
