// The period report (GET /v1/reports/summary): what came in, what became of it, how fast the team
// responded, what was noise — over a period, from the alert store and the case record.
import type { AlertStats, AlertStore } from '../store/types.ts';
import { casePages } from './case-pages.ts';
import type { CaseRecordStore } from '../store/case-record.ts';
import type { CaseService } from './cases.ts';
import { metricsSummary, type SummaryGroup } from './timings-summary.ts';
import { HttpError } from './problem.ts';
import { AUTO_CLOSE_ACTOR } from '../core/triage.ts';

const MAX_CASES = 20_000;

export interface PeriodReport {
  since: string;
  until: string;
  alerts: AlertStats;
  cases: {
    opened: number;
    byStatus: Record<string, number>;
    /** Analysts' verdicts (auto-close's are counted apart). */
    byVerdict: Record<string, number>;
    /** Cases triage auto-close opened closed (RIPOSTE_TRIAGE_AUTO_CLOSE), and did not reopen. */
    autoClosed: number;
    /** False positives among the cases analysts gave a verdict (null when none was). */
    falsePositiveRate: number | null;
    partial?: boolean;
  };
  timings: SummaryGroup | null;
  /** Alerts held back by suppression, of all received. */
  suppression: { suppressed: number; share: number | null; byRule: AlertStats['bySuppression'] };
}

export async function periodReport(d: { store: AlertStore; record: CaseRecordStore; cases: CaseService }, q: { since?: string; until?: string }): Promise<PeriodReport> {
  const until = q.until ?? new Date().toISOString();
  const since = q.since ?? new Date(Date.parse(until) - 7 * 86_400_000).toISOString();
  if (since >= until) throw new HttpError(422, 'since must be before until');
  const alerts = await d.store.alertStats(since, until);
  const byStatus: Record<string, number> = {};
  const byVerdict: Record<string, number> = {};
  let opened = 0;
  let autoClosed = 0;
  for await (const page of casePages(d.store, { since, until }, MAX_CASES)) {
    const states = await d.cases.states(page);
    for (const c of page) {
      const status = states.get(c.id)?.status ?? 'unknown';
      byStatus[status] = (byStatus[status] ?? 0) + 1;
      if (c.verdict?.by === AUTO_CLOSE_ACTOR) {
        autoClosed++;
        continue;
      }
      const verdict = c.verdict?.verdict ?? 'none';
      byVerdict[verdict] = (byVerdict[verdict] ?? 0) + 1;
    }
    opened += page.length;
  }
  const judged = (byVerdict.true_positive ?? 0) + (byVerdict.false_positive ?? 0) + (byVerdict.benign ?? 0);
  const timings = (await metricsSummary(d, { since, until, groupBy: 'none' })).groups[0] ?? null;
  return {
    since,
    until,
    alerts,
    cases: { opened, byStatus, byVerdict, autoClosed, falsePositiveRate: judged ? (byVerdict.false_positive ?? 0) / judged : null, ...(opened >= MAX_CASES ? { partial: true } : {}) },
    timings,
    suppression: { suppressed: alerts.suppressed, share: alerts.alerts ? alerts.suppressed / alerts.alerts : null, byRule: alerts.bySuppression },
  };
}

const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)} %`);
const sec = (x: number | undefined) => (x === undefined ? '—' : `${x.toFixed(1)} s`);

export function periodMarkdown(r: PeriodReport): string {
  const rows = (pairs: Array<[string, string | number]>) => pairs.map(([k, v]) => `| ${String(k).replace(/\|/g, '\\|')} | ${v} |`).join('\n');
  const t = r.timings;
  return `# Riposte period report — ${r.since} → ${r.until}

## Volumes
| | |
|---|---|
${rows([['Alerts received', r.alerts.alerts], ['Occurrences (repeats counted)', r.alerts.occurrences], ['Cases opened', r.cases.opened], ...r.alerts.bySource.map((s): [string, number] => [`from ${s.source}`, s.alerts])])}

## Outcomes
| | |
|---|---|
${rows([...Object.entries(r.cases.byStatus).map(([k, v]): [string, number] => [`status ${k}`, v]), ...Object.entries(r.cases.byVerdict).map(([k, v]): [string, number] => [`verdict ${k.replace('_', ' ')}`, v]), ['Auto-closed by triage', r.cases.autoClosed], ['False-positive rate (analysts\' verdicts)', pct(r.cases.falsePositiveRate)]])}

## Timings (p50 / p90 / mean)
| Time to | Cases | p50 | p90 | mean |
|---|---|---|---|---|
${(['detect', 'acknowledge', 'contain', 'resolve'] as const).map((k) => `| ${k} | ${t?.[k].n ?? 0} | ${sec(t?.[k].p50)} | ${sec(t?.[k].p90)} | ${sec(t?.[k].mean)} |`).join('\n')}

## Top rules
| Rule | Alerts |
|---|---|
${rows(r.alerts.topRules.map((x): [string, number] => [x.rule, x.alerts]))}

## Top entities
| Entity | Alerts |
|---|---|
${rows(r.alerts.topEntities.map((x): [string, number] => [x.entity, x.alerts]))}

## Suppression
${r.suppression.suppressed} alerts suppressed (${pct(r.suppression.share)} of those received).
${r.suppression.byRule.length ? `\n| Rule | Alerts |\n|---|---|\n${rows(r.suppression.byRule.map((x): [string, number] => [x.rule, x.alerts]))}\n` : ''}`;
}
