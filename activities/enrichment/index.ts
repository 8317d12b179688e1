// "Enrich these observables": one activity that asks every source the run chose for each
// observable's type — DNS, the first-seen store, VirusTotal, AbuseIPDB, GreyNoise, URLhaus, OTX,
// MISP — a few at a time. Each source's answer (or its failure) is one outcome: a source that is
// down, refuses or is unconfigured never fails the others. Rate-limited sources wait their turn
// inside their client, heartbeating, so a slow quota never times the lookup out.
import { heartbeating } from '../shared/heartbeat.ts';
import PQueue from 'p-queue';
import type { Observable } from '../../core/alert.ts';
import { FIRST_SEEN_TAG, type EnrichmentOutcome } from '../../core/verdict.ts';
import type { EnrichInput, EnrichResult } from './types.ts';
import { info } from './info.ts';

export { info };

type Lookup = (value: string, observable: Observable) => Promise<EnrichmentOutcome>;

/** The vendor activities enrichment can ask, as the worker registered them. */
export interface EnrichmentSources {
  dnsResolveDomain(i: { domain: string }): Promise<EnrichmentOutcome>;
  dnsRecordSighting(i: { domain: string; idempotencyKey: string; source: string; host?: string }): Promise<{ status: 'ok'; isNew: boolean; first: { at: string; source: string; host?: string }; sightings: number } | { status: 'skipped'; reason: string }>;
  dnsFirstSeen(i: { domain: string }): Promise<{ domain: string; seen: false } | { domain: string; seen: true; first: { at: string; source: string; host?: string }; sightings: number }>;
  virustotalLookupDomain(i: { domain: string }): Promise<EnrichmentOutcome>;
  virustotalLookupIp(i: { ip: string }): Promise<EnrichmentOutcome>;
  virustotalLookupUrl(i: { url: string }): Promise<EnrichmentOutcome>;
  virustotalLookupFile(i: { hash: string }): Promise<EnrichmentOutcome>;
  abuseipdbCheckIp(i: { ip: string }): Promise<EnrichmentOutcome>;
  greynoiseLookupIp(i: { ip: string }): Promise<EnrichmentOutcome>;
  urlhausLookupHost(i: { host: string }): Promise<EnrichmentOutcome>;
  urlhausLookupUrl(i: { url: string }): Promise<EnrichmentOutcome>;
  otxLookupIndicator(i: { kind: 'ip' | 'domain' | 'url' | 'hash'; value: string }): Promise<EnrichmentOutcome>;
  mispLookupIndicator(i: { observable: Observable }): Promise<EnrichmentOutcome>;
}

/** Which activity answers which (source, type). */
function lookups(s: EnrichmentSources): Record<string, Partial<Record<Observable['type'], Lookup>>> {
  const otx: Lookup = (value, o) => s.otxLookupIndicator({ kind: o.type as 'ip', value });
  const misp: Lookup = (_v, o) => s.mispLookupIndicator({ observable: o });
  return {
    dns: { domain: (domain) => s.dnsResolveDomain({ domain }) },
    virustotal: {
      ip: (ip) => s.virustotalLookupIp({ ip }),
      domain: (domain) => s.virustotalLookupDomain({ domain }),
      url: (url) => s.virustotalLookupUrl({ url }),
      hash: (hash) => s.virustotalLookupFile({ hash }),
    },
    abuseipdb: { ip: (ip) => s.abuseipdbCheckIp({ ip }) },
    greynoise: { ip: (ip) => s.greynoiseLookupIp({ ip }) },
    urlhaus: { domain: (host) => s.urlhausLookupHost({ host }), url: (url) => s.urlhausLookupUrl({ url }) },
    otx: { ip: otx, domain: otx, url: otx, hash: otx },
    misp: { ip: misp, domain: misp, url: misp, hash: misp },
  };
}

/** Sources asked at once (each also queues behind its own rate limit). */
const CONCURRENCY = 4;

export function createEnrichmentActivities(sources: EnrichmentSources) {
  const table = lookups(sources);
  return {
    async enrichmentLookup(input: EnrichInput): Promise<EnrichResult> {
      const queue = new PQueue({ concurrency: CONCURRENCY });
      const beat = heartbeating();
      try {
        const jobs: Array<Promise<EnrichmentOutcome>> = [];
        const wanted = (source: string, o: Observable) => !input.only || input.only.some((w) => w.source === source && w.value === o.value);
        for (const observable of input.observables) {
          for (const source of input.sources[observable.type as keyof EnrichInput['sources']] ?? []) {
            if (!wanted(source, observable)) continue;
            const lookup = table[source]?.[observable.type];
            if (!lookup) {
              jobs.push(Promise.resolve({ source, observable, status: 'skipped', reason: `${source} does not look up ${observable.type}s` }));
              continue;
            }
            jobs.push(queue.add(() => ask(source, observable, () => lookup(observable.value, observable))) as Promise<EnrichmentOutcome>);
          }
          if (observable.type === 'domain' && input.firstSeen && wanted('first-seen', observable)) jobs.push(queue.add(() => ask('first-seen', observable, () => firstSeen(sources, observable, input.firstSeen!))) as Promise<EnrichmentOutcome>);
        }
        return { outcomes: await Promise.all(jobs) };
      } finally {
        beat();
      }
    },
  };
}

/** One source's answer, or its failure recorded as an outcome. */
async function ask(source: string, observable: Observable, run: () => Promise<EnrichmentOutcome>): Promise<EnrichmentOutcome> {
  try {
    const outcome = await run();
    // The caller's view of the observable (its role) is kept, whatever the source echoes back.
    return { ...outcome, observable };
  } catch (err) {
    const e = err as { type?: string; message?: string };
    return { source, observable, status: 'failed', reason: (e.message ?? String(err)).slice(0, 500), ...(e.type ? { errorType: e.type } : {}) };
  }
}

/** The first-seen store as an enrichment source: new to the estate, or first seen when. */
async function firstSeen(s: EnrichmentSources, observable: Observable, opts: NonNullable<EnrichInput['firstSeen']>): Promise<EnrichmentOutcome> {
  const domain = observable.value;
  let isNew: boolean;
  let first: { at: string; source: string; host?: string } | undefined;
  let sightings = 0;
  if (opts.record) {
    const r = await s.dnsRecordSighting({ domain, idempotencyKey: `${opts.idempotencyKey}:${domain}`, source: opts.source, ...(opts.host ? { host: opts.host } : {}) });
    if (r.status === 'skipped') return { source: 'first-seen', observable, status: 'skipped', reason: r.reason };
    ({ isNew, first, sightings } = r);
  } else {
    const r = await s.dnsFirstSeen({ domain });
    isNew = !r.seen;
    if (r.seen) ({ first, sightings } = r);
  }
  return {
    source: 'first-seen',
    observable,
    status: 'ok',
    verdict: {
      source: 'first-seen',
      observable,
      level: 'info',
      score: 0,
      summary: isNew ? 'never seen before in this estate' : `first seen ${first?.at ?? 'earlier'}${first?.host ? ` (${first.host})` : ''}, ${sightings} sighting${sightings === 1 ? '' : 's'}`,
      found: !isNew,
      ...(first ? { firstSeen: first.at } : {}),
      tags: isNew ? [FIRST_SEEN_TAG] : [],
      related: [],
    },
  };
}
