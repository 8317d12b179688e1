// Runs in the Temporal sandbox. "Hunt these indicators since T": every hunting backend the
// run's context lists (the local log store by default; Elasticsearch/OpenSearch, Splunk,
// Sentinel), one activity. Hosts seen talking to the same indicators join the case's scope —
// recorded, shown in the case, and covered by the containment the analyst approves.
import type { Observable } from '../../core/alert.ts';
import type { Sighting } from '../../core/case.ts';
import type { PlaybookRun } from '../playbook.ts';
import { LOOKUP } from './activity-options.ts';
import { now } from './case-record.ts';
import { quickCall } from './quick.ts';
import { message } from './ticket-sync.ts';

/** Indicators worth hunting in logs (hosts and users are the scope, not the quarry). */
const HUNTABLE = new Set(['ip', 'domain', 'url', 'hash']);

export interface Hunted {
  sightings: Sighting[];
  /** Hosts that joined the scope because they were seen with the indicators. */
  newHosts: string[];
}

export async function hunt(run: PlaybookRun, indicators: Observable[], opts: { since: string; limit?: number }): Promise<Hunted> {
  const { record, providers, unconfigured } = run;
  const wanted = indicators.filter((i) => HUNTABLE.has(i.type));
  if (wanted.length === 0) return { sightings: [], newHosts: [] };
  if (providers.hunt.length === 0) {
    record.skip('hunt', 'no hunting backend is configured', unconfigured.hunt ?? []);
    return { sightings: [], newHosts: [] };
  }
  const to = now();
  let result;
  try {
    result = await quickCall(run.quick, 'huntingSearch', LOOKUP, { indicators: wanted, from: opts.since, to, backends: providers.hunt, limit: opts.limit ?? 100 });
  } catch (err) {
    record.note('hunt', `could not hunt: ${message(err)}`);
    return { sightings: [], newHosts: [] };
  }
  for (const r of result.results) {
    record.note('hunt', `${r.backend}: ${r.status === 'ok' ? `${r.sightings} sighting${r.sightings === 1 ? '' : 's'} of ${wanted.map((w) => w.value).join(', ')} since ${opts.since}${r.truncated ? ' (more not shown)' : ''}` : `${r.status} — ${r.reason ?? ''}`}`);
  }
  const sightings = result.sightings.map(({ indicator, at, host, backend, where, excerpt }) => ({ indicator: { type: indicator.type, value: indicator.value }, at, ...(host ? { host } : {}), backend, where, excerpt }));
  record.addSightings(sightings);
  const newHosts: string[] = [];
  for (const s of sightings) {
    if (!s.host) continue;
    const isIp = /^[0-9.]+$|:/.test(s.host);
    const joined = record.joinScope({
      type: 'host',
      value: s.host,
      ...(isIp ? { ip: s.host } : {}),
      joinedBy: 'hunt',
      reason: `seen with ${s.indicator.value} at ${s.at} (${s.backend}: ${s.where})`,
    });
    if (joined) newHosts.push(s.host);
  }
  return { sightings, newHosts };
}
