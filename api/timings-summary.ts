// Incident-response timings over many cases (GET /v1/metrics/summary), computed from the case
// record and the alert store: per group, how many cases, and p50/p90/mean of the time to detect,
// acknowledge, contain and resolve (docs/metrics.md).
import { severityName } from '../core/alert.ts';
import type { CaseEvent } from '../core/case-events.ts';
import { TIMINGS, caseTimings, stat, type CaseTimings, type Stat, type TimingName } from '../core/timings.ts';
import type { CaseRecordStore } from '../store/case-record.ts';
import type { AlertStore, StoredCase } from '../store/types.ts';
import { casePages } from './case-pages.ts';
import { HttpError } from './problem.ts';

export const GROUP_BY = ['none', 'severity', 'source', 'playbook', 'day', 'week', 'month'] as const;
export type GroupBy = (typeof GROUP_BY)[number];

/** Cases one summary reads at most: past it, the answer says it is partial. */
const MAX_CASES = 20_000;

export interface SummaryGroup extends Record<TimingName, Stat> {
  key: string;
  cases: number;
}

export async function metricsSummary(d: { store: AlertStore; record: CaseRecordStore }, q: { since?: string; until?: string; groupBy?: GroupBy }) {
  if (q.since && q.until && q.since >= q.until) throw new HttpError(422, 'since must be before until');
  const groupBy = q.groupBy ?? 'none';
  const groups = new Map<string, { cases: number; ms: Record<TimingName, number[]> }>();
  let read = 0;
  for await (const page of casePages(d.store, q, MAX_CASES)) {
    const events = await d.record.eventsOfCases(page.map((c) => c.id));
    const firsts = new Map((await d.store.firstAlerts(page.map((c) => c.id))).map((a) => [a.caseId, a]));
    for (const c of page) {
      const first = firsts.get(c.id);
      const caseEvents = events.get(c.id) ?? [];
      const timings = caseTimings({ createdAt: c.createdAt, ...(first ? { firstAlert: first } : {}) }, caseEvents);
      const key = groupKey(groupBy, c, first?.source, () => firstPlaybook(caseEvents));
      const g = groups.get(key) ?? { cases: 0, ms: { detect: [], acknowledge: [], contain: [], resolve: [] } };
      g.cases++;
      for (const t of TIMINGS) {
        const v = timings[`${t}Ms` as keyof CaseTimings];
        if (v !== undefined) g.ms[t].push(v);
      }
      groups.set(key, g);
    }
    read += page.length;
  }
  const out: SummaryGroup[] = [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, g]) => ({ key, cases: g.cases, ...(Object.fromEntries(TIMINGS.map((t) => [t, stat(g.ms[t])])) as Record<TimingName, Stat>) }));
  return { ...(q.since ? { since: q.since } : {}), ...(q.until ? { until: q.until } : {}), groupBy, cases: read, ...(read >= MAX_CASES ? { partial: true } : {}), groups: out };
}

function groupKey(by: GroupBy, c: StoredCase, source: string | undefined, playbook: () => string): string {
  switch (by) {
    case 'none':
      return 'all';
    case 'severity':
      return severityName(c.severity_id);
    case 'source':
      return source ?? 'unknown';
    case 'playbook':
      return playbook();
    case 'day':
      return c.createdAt.slice(0, 10);
    case 'month':
      return c.createdAt.slice(0, 7);
    case 'week': {
      // The Monday of its ISO week.
      const d = new Date(`${c.createdAt.slice(0, 10)}T00:00:00Z`);
      d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
      return d.toISOString().slice(0, 10);
    }
  }
}

function firstPlaybook(events: CaseEvent[]): string {
  const started = events.find((e) => e.kind === 'run.started');
  return started ? String((started.data as { playbook?: string }).playbook) : 'none';
}
