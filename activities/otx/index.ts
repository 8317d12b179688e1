// AlienVault OTX: how many community threat pulses name this indicator? As the shared verdict shape.
// And which indicators the subscribed pulses carry since the last sweep, for a retro-hunt.
import { ApplicationFailure } from '@temporalio/common';
import type { Observable } from '../../core/alert.ts';
import { checkFeedInput } from '../../core/indicator.ts';
import type { EnrichmentVerdict } from '../../core/verdict.ts';
import { Secret } from '../../config/secret.ts';
import { ErrorType } from '../shared/errors.ts';
import { integrationState, defineIntegration } from '../shared/integration.ts';
import { limiterFor } from '../shared/rate-limit.ts';
import { assertDomain, assertHash, assertIp, assertUrl } from '../shared/validate.ts';
import { OtxClient } from './client.ts';
import { pullSubscribed } from './feed.ts';
import type { LookupInput, LookupResult, OtxGeneral, SubscribedIndicatorsInput, SubscribedIndicatorsResult } from './types.ts';
import { info } from './info.ts';

export { info };

export function otxFromEnv(env: Record<string, string | undefined>): OtxClient | undefined {
  const state = integrationState(info, env);
  if (!state.configured) return undefined;
  return new OtxClient({
    baseUrl: (env.OTX_BASE_URL ?? 'https://otx.alienvault.com').replace(/\/+$/, ''),
    apiKey: new Secret(env.OTX_API_KEY as string),
    limiter: limiterFor(info.name, state.rateLimit),
  });
}

/** The observable an input names, or an InvalidObservableError. */
function observableOf({ kind, value }: LookupInput): Observable {
  switch (kind) {
    case 'ip':
      return { type: 'ip', value: assertIp(value) };
    case 'domain':
      return { type: 'domain', value: assertDomain(value) };
    case 'url':
      return { type: 'url', value: assertUrl(value) };
    case 'hash':
      return { type: 'hash', value: assertHash(value) };
    default:
      throw ApplicationFailure.nonRetryable(`kind must be ip, domain, url or hash`, ErrorType.invalidInput);
  }
}

const SKIP = 'OTX is not configured (OTX_API_KEY unset)';

export function createOtxActivities(deps: { client?: OtxClient }) {
  return {
    async otxLookupIndicator(input: LookupInput): Promise<LookupResult> {
      const observable = observableOf(input);
      if (!deps.client) return { source: 'otx', observable, status: 'skipped', reason: SKIP };
      return { source: 'otx', observable, status: 'ok', verdict: toVerdict(observable, await deps.client.general(input.kind, observable.value)) };
    },

    /** Active, unexpired indicators of the subscribed pulses modified since `since`, for a retro-hunt. */
    async otxSubscribedIndicators(input: SubscribedIndicatorsInput): Promise<SubscribedIndicatorsResult> {
      const checked = checkFeedInput(input, true);
      if (!checked.ok) throw ApplicationFailure.nonRetryable(`otx: ${checked.problem}`, ErrorType.invalidInput);
      if (!deps.client) return { status: 'skipped', source: 'otx', reason: SKIP };
      return pullSubscribed(deps.client, checked.since as string, checked.limit);
    },
  };
}

/**
 * Pulses are community reports: 5 or more → malicious; 1–4 → suspicious; score 15 per pulse
 * (max 100). None, and OTX validates the indicator as well known (whitelists, top-site lists) →
 * safe; none otherwise → info.
 */
export function toVerdict(observable: Observable, g: OtxGeneral | null): EnrichmentVerdict {
  const count = g?.pulse_info?.count ?? 0;
  const pulses = g?.pulse_info?.pulses ?? [];
  const base = { source: 'otx', observable, found: count > 0, related: [] };
  const tags = [...new Set(pulses.flatMap((p) => p.tags ?? []))].slice(0, 20);
  const firstSeen = pulses.map((p) => p.created).filter((c): c is string => Boolean(c)).sort()[0];
  if (count === 0) {
    const vouched = g?.validation?.length ? g.validation : undefined;
    return vouched
      ? { ...base, level: 'safe', score: 0, summary: `in no pulse; known good (${vouched.map((v) => v.name ?? v.source).join(', ')})`, tags: [] }
      : { ...base, level: 'info', score: 0, summary: 'in no OTX pulse', tags: [] };
  }
  const names = pulses.slice(0, 3).map((p) => `"${p.name}"`).join(', ');
  return {
    ...base,
    level: count >= 5 ? 'malicious' : 'suspicious',
    score: Math.min(100, count * 15),
    summary: `in ${count} OTX pulse(s)${names ? `, e.g. ${names}` : ''}`,
    ...(firstSeen ? { firstSeen: new Date(firstSeen.endsWith('Z') ? firstSeen : `${firstSeen}Z`).toISOString() } : {}),
    tags,
  };
}

/** Registered in activities/catalog.ts. */
export const integration = defineIntegration({ info, activities: (ctx) => createOtxActivities({ client: otxFromEnv(ctx.env) }) });
