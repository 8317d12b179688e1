// npm run eval:triage [-- --seed 7 --days 56 --json]
// Replays a generated, labelled alert history (scripts/triage-history.ts) through the triage
// learner in time order, as the API would see it: each alert is judged before it counts, and the
// analyst's verdict on it arrives hours later — unless auto-close took it. Reports, per auto-close
// threshold, the precision and recall of auto-close and the analyst workload it saves; the
// precision and recall of the unusual and first-time flags; and how well the triage priority puts
// the true positives first, against severity alone.
import { parseArgs } from 'node:util';
import { TriageLearner, type TriageAssessment } from '../domain/triage.ts';
import { generateHistory, type LabelledAlert } from './triage-history.ts';

const HOUR = 3_600_000;
/** Analysts are right this often (a tired night shift calls a few wrong). */
const ANALYST_ACCURACY = 0.97;

export interface Counts {
  tp: number;
  fp: number;
  fn: number;
}
const precision = (c: Counts): number => (c.tp + c.fp ? c.tp / (c.tp + c.fp) : 1);
const recall = (c: Counts): number => (c.tp + c.fn ? c.tp / (c.tp + c.fn) : 1);

export interface EvalResult {
  seed: number;
  days: number;
  alerts: number;
  truePositives: number;
  anomalous: number;
  /** Per threshold: what auto-close took and what it cost. */
  autoClose: Array<{ threshold: number; closed: number; precision: number; recall: number; truePositivesClosed: number; workloadSaved: number; truePositivesClosedByRule: Record<string, number> }>;
  unusual: { flagged: number; precision: number; recall: number };
  novel: { flagged: number; precision: number; recall: number };
  either: { flagged: number; precision: number; recall: number };
  /** Probability a random true positive outranks a random benign alert (ROC AUC). */
  priorityAuc: number;
  severityAuc: number;
  /** True positives in the top tenth of each day's queue, by priority and by severity. */
  topTenthPriority: number;
  topTenthSeverity: number;
}

/** Mann–Whitney AUC of `score` separating positives from negatives (ties count half). */
function auc(items: Array<{ score: number; positive: boolean }>): number {
  const sorted = [...items].sort((a, b) => a.score - b.score);
  let rankSum = 0;
  let positives = 0;
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j < sorted.length && (sorted[j] as { score: number }).score === (sorted[i] as { score: number }).score) j++;
    const rank = (i + j + 1) / 2;
    for (let k = i; k < j; k++) {
      if (!(sorted[k] as { positive: boolean }).positive) continue;
      rankSum += rank;
      positives++;
    }
    i = j;
  }
  const negatives = sorted.length - positives;
  return positives && negatives ? (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives) : 0.5;
}

function topTenth(rows: Array<{ a: LabelledAlert; score: number }>): number {
  const byDay = new Map<number, Array<{ a: LabelledAlert; score: number }>>();
  for (const r of rows) {
    const day = Math.floor(r.a.at / (24 * HOUR));
    byDay.set(day, [...(byDay.get(day) ?? []), r]);
  }
  let top = 0;
  let positives = 0;
  for (const day of byDay.values()) {
    // Ties broken against the true positives: the figure is not helped by luck.
    const ranked = [...day].sort((x, y) => y.score - x.score || Number(x.a.benign === false) - Number(y.a.benign === false));
    const cut = Math.ceil(ranked.length / 10);
    ranked.forEach((r, i) => {
      if (r.a.benign) return;
      positives++;
      if (i < cut) top++;
    });
  }
  return positives ? top / positives : 0;
}

/** One replay at one auto-close threshold (or none: every alert reaches an analyst). */
function replay(history: LabelledAlert[], seed: number, threshold?: number) {
  const learner = new TriageLearner({ ...(threshold !== undefined ? { autoCloseAt: threshold } : {}) });
  let state = seed >>> 0;
  const rand = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 4294967296);
  const pending: Array<{ due: number; a: LabelledAlert; fp: boolean }> = [];
  const judged: Array<{ a: LabelledAlert; t: TriageAssessment }> = [];
  for (const a of history) {
    while (pending.length && (pending[0] as { due: number }).due <= a.at) {
      const v = pending.shift() as { a: LabelledAlert; fp: boolean };
      learner.learn({ source: v.a.source, rule: v.a.rule, entities: v.a.entities, falsePositive: v.fp, at: a.at });
    }
    const t = learner.assess(a);
    learner.observe(a);
    judged.push({ a, t });
    if (t.autoClose) continue;
    const fp = rand() < ANALYST_ACCURACY ? a.benign : !a.benign;
    const due = a.at + HOUR + Math.floor(rand() * 7 * HOUR);
    const at = pending.findIndex((p) => p.due > due);
    pending.splice(at < 0 ? pending.length : at, 0, { due, a, fp });
  }
  return judged;
}

export function evaluate(opts: { seed?: number; days?: number; thresholds?: number[] } = {}): EvalResult {
  const seed = opts.seed ?? 7;
  const days = opts.days ?? 56;
  const history = generateHistory({ seed, days });
  const base = replay(history, seed);
  const flag = (pick: (t: TriageAssessment) => boolean) => {
    const c: Counts = { tp: 0, fp: 0, fn: 0 };
    for (const { a, t } of base) {
      if (pick(t)) c[a.anomalous ? 'tp' : 'fp']++;
      else if (a.anomalous) c.fn++;
    }
    return { flagged: c.tp + c.fp, precision: precision(c), recall: recall(c) };
  };
  const autoClose = (opts.thresholds ?? [0.8, 0.9, 0.95]).map((threshold) => {
    const run = replay(history, seed, threshold);
    const c: Counts = { tp: 0, fp: 0, fn: 0 };
    const byRule: Record<string, number> = {};
    for (const { a, t } of run) {
      if (t.autoClose) c[a.benign ? 'tp' : 'fp']++;
      else if (a.benign) c.fn++;
      if (t.autoClose && !a.benign) byRule[a.rule] = (byRule[a.rule] ?? 0) + 1;
    }
    return { threshold, closed: c.tp + c.fp, precision: precision(c), recall: recall(c), truePositivesClosed: c.fp, workloadSaved: (c.tp + c.fp) / run.length, truePositivesClosedByRule: byRule };
  });
  const positives = base.map(({ a, t }) => ({ a, positive: !a.benign, priority: t.priority }));
  return {
    seed,
    days,
    alerts: history.length,
    truePositives: history.filter((a) => !a.benign).length,
    anomalous: history.filter((a) => a.anomalous).length,
    autoClose,
    unusual: flag((t) => t.unusual),
    novel: flag((t) => t.novel),
    either: flag((t) => t.unusual || t.novel),
    priorityAuc: auc(positives.map((p) => ({ score: p.priority, positive: p.positive }))),
    severityAuc: auc(positives.map((p) => ({ score: p.a.severity_id, positive: p.positive }))),
    topTenthPriority: topTenth(base.map(({ a, t }) => ({ a, score: t.priority }))),
    topTenthSeverity: topTenth(base.map(({ a }) => ({ a, score: a.severity_id }))),
  };
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

export function printable(r: EvalResult): string {
  const lines = [
    `Labelled history: ${r.alerts} alerts over ${r.days} days (seed ${r.seed}); ${r.truePositives} true positives; ${r.anomalous} anomalous (attack bursts, first times)`,
    '',
    'Auto-close (alerts closed unseen; no verdict comes back from them):',
    '| threshold | closed | precision | recall (of benign) | true positives closed | analyst workload saved |',
    '|---|---|---|---|---|---|',
    ...r.autoClose.map((a) => `| ${a.threshold} | ${a.closed} | ${pct(a.precision)} | ${pct(a.recall)} | ${a.truePositivesClosed}${a.truePositivesClosed ? ` (${Object.entries(a.truePositivesClosedByRule).map(([rule, n]) => `${rule}: ${n}`).join(', ')})` : ''} | ${pct(a.workloadSaved)} |`),
    '',
    'Flags against the anomalous ground truth:',
    '| flag | flagged | precision | recall |',
    '|---|---|---|---|',
    `| unusual rate | ${r.unusual.flagged} | ${pct(r.unusual.precision)} | ${pct(r.unusual.recall)} |`,
    `| first time on entity | ${r.novel.flagged} | ${pct(r.novel.precision)} | ${pct(r.novel.recall)} |`,
    `| either | ${r.either.flagged} | ${pct(r.either.precision)} | ${pct(r.either.recall)} |`,
    '',
    'Triage priority against severity alone (true positives first):',
    '| order | ROC AUC | true positives in the top tenth of each day |',
    '|---|---|---|',
    `| triage priority | ${r.priorityAuc.toFixed(3)} | ${pct(r.topTenthPriority)} |`,
    `| severity | ${r.severityAuc.toFixed(3)} | ${pct(r.topTenthSeverity)} |`,
  ];
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { seed: { type: 'string', default: '7' }, days: { type: 'string', default: '56' }, json: { type: 'boolean', default: false } } });
  const seed = Number(values.seed);
  const days = Number(values.days);
  if (!Number.isInteger(seed) || !Number.isInteger(days) || days < 15 || days > 365) {
    console.error('usage: npm run eval:triage -- [--seed <integer>] [--days <15–365>] [--json]');
    process.exit(2);
  }
  const result = evaluate({ seed, days });
  console.log(values.json ? JSON.stringify(result, null, 2) : printable(result));
}
