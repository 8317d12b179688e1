// MISP: is this indicator in our threat-intelligence events? As the shared verdict shape. And
// which IDS indicators were published since the last sweep, for a retro-hunt.
import { ApplicationFailure } from '@temporalio/common';
import type { Observable } from '../../core/alert.ts';
import { checkFeedInput } from '../../core/indicator.ts';
import type { EnrichmentOutcome, EnrichmentVerdict } from '../../core/verdict.ts';
import { Secret } from '../../config/secret.ts';
import { ErrorType } from '../shared/errors.ts';
import { integrationState, defineIntegration } from '../shared/integration.ts';
import { limiterFor } from '../shared/rate-limit.ts';
import { assertIp } from '../shared/validate.ts';
import { MispClient, type MispAttribute } from './client.ts';
import { pullRecent } from './feed.ts';
import type { RecentIndicatorsInput, RecentIndicatorsResult } from './types.ts';
import { info } from './info.ts';

export { info };

export function mispFromEnv(env: Record<string, string | undefined>): MispClient | undefined {
  const state = integrationState(info, env);
  if (!state.configured) return undefined;
  return new MispClient({ baseUrl: (env.MISP_URL as string).replace(/\/+$/, ''), authKey: new Secret(env.MISP_AUTH_KEY as string), limiter: limiterFor(info.name, state.rateLimit) });
}

const KINDS = new Set(['ip', 'domain', 'url', 'hash', 'email', 'hostname']);
const SKIP = 'MISP is not configured (MISP_URL, MISP_AUTH_KEY)';

export function createMispActivities(deps: { client?: MispClient }) {
  return {
    async mispLookupIndicator({ observable }: { observable: Observable }): Promise<EnrichmentOutcome> {
      if (!observable || !KINDS.has(observable.type) || typeof observable.value !== 'string' || observable.value.length < 3) {
        throw ApplicationFailure.nonRetryable(`misp: cannot look up ${JSON.stringify(observable).slice(0, 80)}`, ErrorType.invalidInput);
      }
      if (observable.type === 'ip') assertIp(observable.value);
      const o: Observable = { type: observable.type, value: observable.value };
      if (!deps.client) return { source: 'misp', observable: o, status: 'skipped', reason: SKIP };
      return { source: 'misp', observable: o, status: 'ok', verdict: toVerdict(o, await deps.client.searchAttributes([o.value])) };
    },

    /** IDS indicators of events published since `since`, for a retro-hunt. */
    async mispRecentIndicators(input: RecentIndicatorsInput): Promise<RecentIndicatorsResult> {
      const checked = checkFeedInput(input, true);
      if (!checked.ok) throw ApplicationFailure.nonRetryable(`misp: ${checked.problem}`, ErrorType.invalidInput);
      if (!deps.client) return { status: 'skipped', source: 'misp', reason: SKIP };
      return pullRecent(deps.client, checked.since as string, checked.limit);
    },
  };
}

/**
 * In an event as an IDS indicator (to_ids) → malicious, score 60 + 10 per event (max 100);
 * only as context (to_ids false) → suspicious (30); absent → info, found: false. Events and
 * their tags come back as evidence.
 */
export function toVerdict(observable: Observable, attrs: MispAttribute[]): EnrichmentVerdict {
  if (attrs.length === 0) return { source: 'misp', observable, level: 'info', score: 0, summary: 'in no MISP event', found: false, tags: [], related: [] };
  const events = [...new Map(attrs.map((a) => [a.event_id, a.Event?.info ?? `event ${a.event_id}`])).values()];
  const ids = attrs.some((a) => a.to_ids);
  const times = attrs.map((a) => a.first_seen ?? (a.timestamp ? new Date(Number(a.timestamp) * 1000).toISOString() : undefined)).filter((t): t is string => Boolean(t)).sort();
  return {
    source: 'misp',
    observable,
    level: ids ? 'malicious' : 'suspicious',
    score: ids ? Math.min(100, 60 + 10 * events.length) : 30,
    summary: `in ${events.length} MISP event(s)${ids ? ' as an IDS indicator' : ' as context'}: ${events.slice(0, 3).map((e) => `"${e}"`).join(', ')}`,
    found: true,
    ...(times[0] ? { firstSeen: new Date(times[0]).toISOString() } : {}),
    tags: [...new Set(attrs.flatMap((a) => (a.Tag ?? []).map((t) => t.name)))].slice(0, 20),
    related: [],
  };
}

/** Registered in activities/catalog.ts. */
export const integration = defineIntegration({ info, activities: (ctx) => createMispActivities({ client: mispFromEnv(ctx.env) }) });
