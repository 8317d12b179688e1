// "Hunt these indicators since T": one activity that asks every backend the run chose — the
// local log store, Elasticsearch/OpenSearch, Splunk, Sentinel — at once, and merges their
// sightings, newest first. A backend that fails is reported beside the others' results.
import os from 'node:os';
import { heartbeating } from '../shared/heartbeat.ts';
import { checkHunt } from './match.ts';
import type { HuntInput, HuntResult, SearchInput, SearchResult } from './types.ts';
import { info } from './info.ts';

export { info };

export type HuntBackends = Record<string, (input: HuntInput) => Promise<HuntResult>>;

/**
 * This worker's own addresses: its lookups of a suspicious domain land in the resolver's query
 * log too, and would otherwise make Riposte look like one of the hosts that asked for it.
 */
function ownAddresses(): Set<string> {
  const own = new Set(['127.0.0.1', '::1', 'localhost', os.hostname().toLowerCase()]);
  for (const addrs of Object.values(os.networkInterfaces())) for (const a of addrs ?? []) own.add(a.address.split('%')[0] as string);
  return own;
}

export function createHuntingActivities(backends: HuntBackends, opts: { own?: Set<string> } = {}) {
  const own = opts.own ?? ownAddresses();
  return {
    async huntingSearch(input: SearchInput): Promise<SearchResult> {
      const { limit } = checkHunt(input);
      const { backends: names, ...hunt } = input;
      const beat = heartbeating();
      try {
        const answers = await Promise.all(
          names.map(async (backend): Promise<[SearchResult['results'][number], HuntResult | undefined]> => {
            const run = backends[`${backend}Hunt`];
            if (!run) return [{ backend, status: 'skipped', sightings: 0, reason: `${backend} is not a hunting backend` }, undefined];
            try {
              const r = await run({ ...hunt, limit });
              return r.status === 'ok'
                ? [{ backend, status: 'ok', sightings: r.sightings.length, truncated: r.truncated }, r]
                : [{ backend, status: 'skipped', sightings: 0, reason: r.reason }, undefined];
            } catch (err) {
              return [{ backend, status: 'failed', sightings: 0, reason: ((err as Error).message ?? String(err)).slice(0, 300) }, undefined];
            }
          })
        );
        const all = answers.flatMap(([, r]) => (r?.status === 'ok' ? r.sightings : []));
        const theirs = all.filter((s) => !s.host || !own.has(s.host.toLowerCase()));
        const sightings = theirs.sort((a, b) => b.at.localeCompare(a.at)).slice(0, limit);
        return { results: answers.map(([summary]) => summary), sightings, ...(all.length > theirs.length ? { ownLeftOut: all.length - theirs.length } : {}) };
      } finally {
        beat();
      }
    },
  };
}
