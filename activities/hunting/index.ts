// "Hunt these indicators since T": one activity that asks every backend the run chose — the
// local log store, Elasticsearch/OpenSearch, Splunk, Sentinel — at once, and merges their
// sightings, newest first. A backend that fails is reported beside the others' results.
import { heartbeating } from '../enrichment/index.ts';
import type { IntegrationInfo } from '../shared/integration.ts';
import { checkHunt } from './match.ts';
import type { HuntInput, HuntResult, SearchInput, SearchResult } from './types.ts';

export const info: IntegrationInfo = {
  name: 'hunting',
  title: 'Hunting: every configured backend at once (local log store, Elasticsearch/OpenSearch, Splunk, Sentinel)',
  category: 'hunting',
  docUrl: 'activities/hunting/README.md',
  activities: ['huntingSearch'],
  settings: [],
};

export type HuntBackends = Record<string, (input: HuntInput) => Promise<HuntResult>>;

export function createHuntingActivities(backends: HuntBackends) {
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
        const sightings = answers
          .flatMap(([, r]) => (r?.status === 'ok' ? r.sightings : []))
          .sort((a, b) => b.at.localeCompare(a.at))
          .slice(0, limit);
        return { results: answers.map(([summary]) => summary), sightings };
      } finally {
        beat();
      }
    },
  };
}
