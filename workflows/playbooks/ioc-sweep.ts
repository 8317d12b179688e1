// Runs in the Temporal sandbox: no I/O, no Node APIs, no environment access.
//
// The IOC sweep, a scheduled retro-hunt. A Temporal Schedule (riposte-ioc-sweep) starts it every
// RIPOSTE_SWEEP_EVERY: pull new indicators from the configured feeds (MISP to_ids attributes, OTX
// subscribed pulses, URLhaus recent URLs) beside the analysts' own (POST /v1/indicators), hunt
// them all over the logs since the last sweep, and post every sighting to the API as an alert
// (source `hunt`) — so it lands in a case and that case's playbook responds. Each run is recorded
// (GET /v1/hunts); the next starts where it ended.
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities/index.ts';
import type { HuntSightingReport } from '../../activities/sweep/types.ts';
import type { PlaybookView } from '../../core/case.ts';
import { parseDuration } from '../../core/duration.ts';
import { LOOKUP, TICKETING } from '../blocks/activity-options.ts';
import { CaseRecord, now } from '../blocks/case-record.ts';
import { caseReport } from '../blocks/report.ts';
import { message } from '../blocks/ticket-sync.ts';
import type { PlaybookInput } from '../definitions.ts';
import { definePlaybook, readPlaybookContext } from '../playbook.ts';

export const iocSweep = definePlaybook({
  name: 'ioc-sweep',
  title: 'IOC sweep (scheduled retro-hunt)',
  version: 1,
  description:
    'Every RIPOSTE_SWEEP_EVERY: pull new indicators from the configured feeds (MISP, OTX, URLhaus) and take the analysts\u2019 own (POST /v1/indicators), hunt them over the logs since the last sweep, and post each sighting as an alert (source hunt), which lands in a case whose playbook responds. Runs: GET /v1/hunts.',
  route: { description: 'not started by alerts: the Temporal Schedule riposte-ioc-sweep runs it every RIPOSTE_SWEEP_EVERY (1h; off stops it); POST /v1/hunts runs it now', matches: () => false },
  indicators: () => [],
  settings: {
    firstWindow: { default: '24h', kind: 'duration', description: 'how far back the first sweep hunts (later sweeps start where the last one ended)' },
    maxIndicators: { default: '1000', kind: 'number', description: 'indicators hunted per sweep, at most (analysts\u2019 first, then the newest from feeds)' },
    feedLimit: { default: '1000', kind: 'number', description: 'indicators pulled per feed per sweep, at most' },
    maxSightings: { default: '500', kind: 'number', description: 'sightings reported as alerts per sweep, at most' },
  },
  approvals: {},
  sideEffects: ['store:indicators', 'alert:hunt'],
});

/** Indicators per hunt (the hunting backends take at most 100 at a time). */
const HUNT_CHUNK = 100;

const { sweepPullFeeds, sweepLoadIndicators, huntingSearch } = proxyActivities<Activities>(LOOKUP);
const { sweepReportSightings, sweepRecordRun } = proxyActivities<Activities>(TICKETING);

export async function iocSweepPlaybook(input: Partial<PlaybookInput> = {}): Promise<PlaybookView> {
  const sweepId = workflowInfo().workflowId;
  const startedAt = now();
  const context = await readPlaybookContext(iocSweep, input.settings);
  const { providers, unconfigured } = context;
  const settings = context.settings as Record<keyof typeof iocSweep.settings, string>;
  const dryRun = Boolean(input.dryRun);
  const record = new CaseRecord(iocSweep.name, {
    caseId: input.caseId ?? sweepId,
    alert: { id: sweepId, source: 'hunt', sourceUid: sweepId, time: startedAt, severity_id: 1, title: `IOC sweep ${sweepId}`, observables: [] },
    ...(input.dryRun ? { dryRun: input.dryRun } : {}),
  }, { version: iocSweep.version });
  const notes: string[] = [];
  const note = (step: string, text: string) => (record.note(step, text), notes.push(text));

  // 1. New indicators from the feeds, into the indicator store.
  const { feeds } = await sweepPullFeeds({ limit: Number(settings.feedLimit), dryRun });
  for (const f of feeds) note('feeds', `${f.source}: ${f.status === 'ok' ? `${f.pulled} pulled${dryRun ? ' (dry run: not stored)' : `, ${f.stored} new`}${f.truncated ? ' (more than the limit: the rest waits)' : ''}` : `${f.status} — ${f.reason ?? ''}`}`);

  // 2. Every active indicator, and the window since the last sweep.
  const loaded = await sweepLoadIndicators({ limit: Number(settings.maxIndicators), firstWindowMs: parseDuration(settings.firstWindow) ?? 86_400_000 });
  note('indicators', `${loaded.indicators.length} active indicator${loaded.indicators.length === 1 ? '' : 's'}${loaded.truncated ? ` (more than ${settings.maxIndicators}: the rest wait for the next sweep)` : ''}; window ${loaded.from} → ${loaded.to}`);

  // 3. Hunt them over the logs, a hundred at a time.
  const sightings: HuntSightingReport[] = [];
  const backends = new Map<string, { backend: string; status: string; sightings: number; reason?: string }>();
  let failed = false;
  if (providers.hunt.length === 0) record.skip('hunt', 'no hunting backend is configured', unconfigured.hunt ?? []);
  const sourceOf = new Map(loaded.indicators.map((i) => [`${i.type}:${i.value}`, i.source]));
  for (let i = 0; providers.hunt.length > 0 && i < loaded.indicators.length; i += HUNT_CHUNK) {
    const chunk = loaded.indicators.slice(i, i + HUNT_CHUNK);
    try {
      const found = await huntingSearch({ indicators: chunk.map(({ type, value }) => ({ type, value })), from: loaded.from, to: loaded.to, backends: providers.hunt, limit: Number(settings.maxSightings) });
      for (const r of found.results) {
        const b = backends.get(r.backend) ?? { backend: r.backend, status: r.status, sightings: 0, ...(r.reason ? { reason: r.reason } : {}) };
        b.sightings += r.sightings;
        if (r.status === 'failed') {
          b.status = 'failed';
          failed = true;
        }
        backends.set(r.backend, b);
      }
      for (const s of found.sightings) {
        sightings.push({ indicator: { type: s.indicator.type, value: s.indicator.value, source: sourceOf.get(`${s.indicator.type}:${s.indicator.value}`) ?? 'unknown' }, at: s.at, ...(s.host ? { host: s.host } : {}), backend: s.backend, where: s.where, excerpt: s.excerpt });
      }
    } catch (err) {
      failed = true;
      note('hunt', `could not hunt indicators ${i + 1}–${i + chunk.length}: ${message(err)}`);
    }
  }
  const reported = sightings.slice(0, Number(settings.maxSightings));
  for (const b of backends.values()) note('hunt', `${b.backend}: ${b.status}, ${b.sightings} sighting${b.sightings === 1 ? '' : 's'}${b.reason ? ` — ${b.reason}` : ''}`);
  if (sightings.length > reported.length) note('hunt', `${sightings.length} sightings; the first ${reported.length} become alerts (maxSightings)`);

  // 4. Each sighting becomes an alert: it lands in a case, and that case's playbook responds.
  let alerts: Array<{ alertId: string; caseId: string | null; outcome: string }> = [];
  if (reported.length > 0 && !dryRun) {
    alerts = (await sweepReportSightings({ sweepId, sightings: reported })).alerts;
    note('alerts', `${alerts.filter((a) => a.outcome === 'new').length} new alerts, ${alerts.filter((a) => a.outcome !== 'new').length} already known; cases ${[...new Set(alerts.map((a) => a.caseId).filter(Boolean))].join(', ') || 'none'}`);
  } else if (reported.length > 0) {
    note('alerts', `dry run: would post ${reported.length} sighting${reported.length === 1 ? '' : 's'} as alerts (source hunt): ${reported.slice(0, 10).map((s) => `${s.indicator.value}${s.host ? ` on ${s.host}` : ''}`).join('; ')}`);
  }
  record.addSightings(reported.map(({ indicator, ...s }) => ({ ...s, indicator: { type: indicator.type, value: indicator.value } })));

  // 5. The record of the run; the next sweep starts where this one ended.
  const status = dryRun ? 'dry-run' : failed ? 'partial' : 'ok';
  if (!dryRun) {
    await sweepRecordRun({
      run: { id: sweepId, startedAt, finishedAt: now(), from: loaded.from, to: loaded.to, status, indicators: loaded.indicators.length, sightings: sightings.length, alerts: alerts.length, feeds, backends: [...backends.values()], notes },
      sightings: reported.map((s, i) => ({ ...s, ...(alerts[i]?.alertId ? { alertId: alerts[i].alertId } : {}) })),
    });
  }
  record.finish('closed');
  record.note('report', `sweep ${status}: ${loaded.indicators.length} indicators, ${sightings.length} sightings, ${alerts.length} alerts`);
  record.view.report = caseReport(record.view, now());
  return record.view;
}
