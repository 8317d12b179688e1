// Metrics over time (GET /v1/metrics/series), for the console's charts: per hour or day, the
// alerts received by source and how many were suppressed; the cases opened, by status and verdict;
// service levels missed; the median time to detect, acknowledge, contain and resolve by severity and
// by source; and, per detection rule, the cases judged and those judged false positives. Computed
// from the alert store and the case record, as the summary and the period report are.
import { severityName } from '../core/alert.ts';
import { TIMINGS, caseTimings, stat, type CaseTimings, type TimingName } from '../core/timings.ts';
import type { CaseRecordStore } from '../store/case-record.ts';
import type { AlertStore } from '../store/types.ts';
import { casePages } from './case-pages.ts';
import type { CaseService } from './cases.ts';
import { instant } from './instant.ts';
import { HttpError } from './problem.ts';

export const BUCKETS = ['hour', 'day'] as const;
export type Bucket = (typeof BUCKETS)[number];

const STEP_MS: Record<Bucket, number> = { hour: 3_600_000, day: 86_400_000 };
/** The default period: two days of hours, or thirty days. */
const DEFAULT_SPAN_MS: Record<Bucket, number> = { hour: 2 * 86_400_000, day: 30 * 86_400_000 };
/** Points one series holds at most (400 days, or about 16 days of hours). */
export const MAX_BUCKETS = 400;
/** Cases and alerts one answer reads at most: past either, it says `partial`. */
const MAX_CASES = 20_000;
const MAX_ALERTS = 50_000;
/** Detection rules listed in the false-positive series (those with the most judged cases). */
const TOP_RULES = 20;

export type Counts = number[];
export interface TimingSeries {
  by: 'severity' | 'source';
  key: string;
  timing: TimingName;
  /** Median seconds per bucket (null: no case of the bucket has this timing). */
  p50: Array<number | null>;
  n: Counts;
}

export interface MetricsSeries {
  since: string;
  until: string;
  bucket: Bucket;
  /** Each bucket's start (UTC). */
  buckets: string[];
  alerts: { bySource: Array<{ source: string; counts: Counts }>; suppressed: Counts };
  cases: { opened: Counts; byStatus: Array<{ status: string; counts: Counts }>; byVerdict: Array<{ verdict: string; counts: Counts }> };
  slaBreaches: { acknowledge: Counts; contain: Counts };
  timings: TimingSeries[];
  falsePositives: Array<{ rule: string; judged: Counts; falsePositive: Counts }>;
  partial?: boolean;
}

/** A count per bucket, by key: the series of a breakdown. */
class Tally {
  readonly byKey = new Map<string, Counts>();
  constructor(private readonly size: number) {}
  add(key: string, i: number, n = 1): void {
    const counts = this.byKey.get(key) ?? new Array<number>(this.size).fill(0);
    counts[i] = (counts[i] ?? 0) + n;
    this.byKey.set(key, counts);
  }
  get(key: string): Counts {
    return this.byKey.get(key) ?? new Array<number>(this.size).fill(0);
  }
  /** The keys, the busiest first. */
  sorted(): Array<[string, Counts]> {
    const total = (c: Counts) => c.reduce((s, x) => s + x, 0);
    return [...this.byKey.entries()].sort(([a, x], [b, y]) => total(y) - total(x) || a.localeCompare(b));
  }
}

export async function metricsSeries(d: { store: AlertStore; record: CaseRecordStore; cases: CaseService }, q: { since?: string; until?: string; bucket?: Bucket }): Promise<MetricsSeries> {
  const bucket = q.bucket ?? 'day';
  const step = STEP_MS[bucket];
  const until = instant(q.until ?? Date.now(), 'until');
  const since = instant(q.since ?? Date.parse(until) - DEFAULT_SPAN_MS[bucket], 'since');
  if (since >= until) throw new HttpError(422, 'since must be before until');
  const start = Math.floor(Date.parse(since) / step) * step;
  const size = Math.ceil((Date.parse(until) - start) / step);
  if (size > MAX_BUCKETS) throw new HttpError(422, `that period holds ${size} ${bucket}s; at most ${MAX_BUCKETS} (narrow it, or count by day)`);
  const at = (iso: string) => Math.min(size - 1, Math.max(0, Math.floor((Date.parse(iso) - start) / step)));
  const zeros = () => new Array<number>(size).fill(0);

  // Alerts, by when they were received.
  const recent = await d.store.alertsSince(since, MAX_ALERTS);
  const bySource = new Tally(size);
  const suppressed = zeros();
  for (const a of recent) {
    if (a.receivedAt >= until) continue;
    const i = at(a.receivedAt);
    bySource.add(a.source, i);
    if (a.suppressedBy) suppressed[i] = (suppressed[i] ?? 0) + 1;
  }

  // Cases, by when they were opened.
  const opened = zeros();
  const byStatus = new Tally(size);
  const byVerdict = new Tally(size);
  const breaches = new Tally(size);
  const judged = new Tally(size);
  const falsePositive = new Tally(size);
  /** `${by}\u0000${key}\u0000${timing}` → per bucket, the times in ms. */
  const times = new Map<string, number[][]>();
  let read = 0;
  for await (const page of casePages(d.store, { since, until }, MAX_CASES)) {
    const ids = page.map((c) => c.id);
    const [events, firsts, states] = await Promise.all([d.record.eventsOfCases(ids), d.store.firstAlerts(ids), d.cases.states(page)]);
    const first = new Map(firsts.map((a) => [a.caseId, a]));
    for (const c of page) {
      const i = at(c.createdAt);
      opened[i] = (opened[i] ?? 0) + 1;
      const state = states.get(c.id);
      byStatus.add(state?.status ?? 'unknown', i);
      for (const kind of state?.sla.breached ?? []) breaches.add(kind, i);
      const verdict = c.verdict?.verdict ?? 'none';
      byVerdict.add(verdict, i);
      const alert = first.get(c.id);
      if (verdict !== 'none') {
        const rule = alert?.rule?.name ?? alert?.title ?? c.title;
        judged.add(rule, i);
        if (verdict === 'false_positive') falsePositive.add(rule, i);
      }
      const timings = caseTimings({ createdAt: c.createdAt, ...(alert ? { firstAlert: alert } : {}) }, events.get(c.id) ?? []);
      for (const [by, key] of [['severity', severityName(c.severity_id)], ['source', alert?.source ?? 'unknown']] as const) {
        for (const t of TIMINGS) {
          const ms = timings[`${t}Ms` as keyof CaseTimings];
          if (ms === undefined) continue;
          const name = `${by}\u0000${key}\u0000${t}`;
          const series = times.get(name) ?? Array.from({ length: size }, () => [] as number[]);
          series[i]?.push(ms);
          times.set(name, series);
        }
      }
    }
    read += page.length;
  }

  const timings: TimingSeries[] = [...times.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, series]) => {
      const [by, key, timing] = name.split('\u0000') as [TimingSeries['by'], string, TimingName];
      return { by, key, timing, p50: series.map((ms) => stat(ms).p50 ?? null), n: series.map((ms) => ms.length) };
    });
  return {
    since,
    until,
    bucket,
    buckets: Array.from({ length: size }, (_, i) => new Date(start + i * step).toISOString()),
    alerts: { bySource: bySource.sorted().map(([source, counts]) => ({ source, counts })), suppressed },
    cases: {
      opened,
      byStatus: byStatus.sorted().map(([status, counts]) => ({ status, counts })),
      byVerdict: byVerdict.sorted().map(([verdict, counts]) => ({ verdict, counts })),
    },
    slaBreaches: { acknowledge: breaches.get('acknowledge'), contain: breaches.get('contain') },
    timings,
    falsePositives: judged
      .sorted()
      .slice(0, TOP_RULES)
      .map(([rule, counts]) => ({ rule, judged: counts, falsePositive: falsePositive.get(rule) })),
    ...(read >= MAX_CASES || recent.length >= MAX_ALERTS ? { partial: true } : {}),
  };
}
