// URLhaus (abuse.ch): is this host or URL known to serve malware? As the shared verdict shape.
// And which malware URLs (and their hosts) were added since the last sweep, for a retro-hunt.
import { isIP } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import type { Observable } from '../../core/alert.ts';
import { checkFeedInput } from '../../core/indicator.ts';
import type { EnrichmentVerdict } from '../../core/verdict.ts';
import { Secret } from '../../config/secret.ts';
import { ErrorType } from '../shared/errors.ts';
import { integrationState, defineIntegration } from '../shared/integration.ts';
import { limiterFor } from '../shared/rate-limit.ts';
import { assertDomain, assertUrl } from '../shared/validate.ts';
import { UrlhausClient } from './client.ts';
import { pullRecent } from './feed.ts';
import type { LookupHostInput, LookupResult, LookupUrlInput, RecentIndicatorsInput, RecentIndicatorsResult, UrlhausHost, UrlhausUrl } from './types.ts';
import { info } from './info.ts';

export { info };

export function urlhausFromEnv(env: Record<string, string | undefined>): UrlhausClient | undefined {
  const state = integrationState(info, env);
  if (!state.configured) return undefined;
  return new UrlhausClient({
    baseUrl: (env.URLHAUS_BASE_URL ?? 'https://urlhaus-api.abuse.ch').replace(/\/+$/, ''),
    authKey: new Secret(env.URLHAUS_AUTH_KEY as string),
    limiter: limiterFor(info.name, state.rateLimit),
  });
}

const SKIP = 'URLhaus is not configured (URLHAUS_AUTH_KEY unset)';

export function createUrlhausActivities(deps: { client?: UrlhausClient }) {
  return {
    async urlhausLookupHost({ host }: LookupHostInput): Promise<LookupResult> {
      const observable: Observable = isIP(host) ? { type: 'ip', value: host } : { type: 'domain', value: assertDomain(host) };
      if (!deps.client) return { source: 'urlhaus', observable, status: 'skipped', reason: SKIP };
      return { source: 'urlhaus', observable, status: 'ok', verdict: hostVerdict(observable, await deps.client.host(observable.value)) };
    },
    async urlhausLookupUrl({ url }: LookupUrlInput): Promise<LookupResult> {
      const observable: Observable = { type: 'url', value: assertUrl(url) };
      if (!deps.client) return { source: 'urlhaus', observable, status: 'skipped', reason: SKIP };
      return { source: 'urlhaus', observable, status: 'ok', verdict: urlVerdict(observable, await deps.client.url(url)) };
    },

    /** Malware URLs added since `since` (or in URLhaus's last 3 days), and their hosts, for a retro-hunt. */
    async urlhausRecentIndicators(input: RecentIndicatorsInput = {}): Promise<RecentIndicatorsResult> {
      const checked = checkFeedInput(input, false);
      if (!checked.ok) throw ApplicationFailure.nonRetryable(`urlhaus: ${checked.problem}`, ErrorType.invalidInput);
      if (!deps.client) return { status: 'skipped', source: 'urlhaus', reason: SKIP };
      return pullRecent(deps.client, checked.since, checked.limit);
    },
  };
}

const unknown = (observable: Observable): EnrichmentVerdict => ({ source: 'urlhaus', observable, level: 'info', score: 0, summary: 'unknown to URLhaus', found: false, tags: [], related: [] });
const when = (t?: string) => (t ? new Date(t.replace(' UTC', 'Z').replace(' ', 'T')).toISOString() : undefined);

/** A host serving malware now → malicious (90); only in the past → suspicious (50). */
export function hostVerdict(observable: Observable, h: UrlhausHost): EnrichmentVerdict {
  if (h.query_status !== 'ok') return unknown(observable);
  const urls = h.urls ?? [];
  const online = urls.filter((u) => u.url_status === 'online').length;
  const threats = [...new Set(urls.map((u) => u.threat).filter((t): t is string => Boolean(t)))];
  return {
    source: 'urlhaus',
    observable,
    level: online > 0 ? 'malicious' : 'suspicious',
    score: online > 0 ? 90 : 50,
    summary: `${h.url_count ?? urls.length} malware URL(s) on this host, ${online} online${threats.length ? ` (${threats.join(', ')})` : ''}`,
    found: true,
    firstSeen: when(h.firstseen),
    tags: [...new Set(urls.flatMap((u) => u.tags ?? []))].slice(0, 20),
    related: urls.slice(0, 10).map((u) => ({ type: 'url' as const, value: u.url })),
  };
}

/** A URL serving malware now → malicious (90); offline → suspicious (50). */
export function urlVerdict(observable: Observable, u: UrlhausUrl): EnrichmentVerdict {
  if (u.query_status !== 'ok') return unknown(observable);
  const online = u.url_status === 'online';
  return {
    source: 'urlhaus',
    observable,
    level: online ? 'malicious' : 'suspicious',
    score: online ? 90 : 50,
    summary: `URLhaus lists it (${u.threat ?? 'malware'}), ${u.url_status ?? 'status unknown'}`,
    found: true,
    firstSeen: when(u.date_added),
    tags: (u.tags ?? []).slice(0, 20),
    related: u.host ? [isIP(u.host) ? { type: 'ip' as const, value: u.host } : { type: 'domain' as const, value: u.host }] : [],
  };
}

/** Registered in activities/catalog.ts. */
export const integration = defineIntegration({ info, activities: (ctx) => createUrlhausActivities({ client: urlhausFromEnv(ctx.env) }) });
