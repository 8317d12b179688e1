// Learning from analysts' verdicts: how likely an alert is a false positive, whether it is
// unusual against what is normal for its rule and its entities, and how urgently someone should
// look at it (triage priority), each with its reasons in words. Pure and in memory: the API keeps
// one learner warm from its stores, and `npm run eval:triage` replays a labelled history through
// another, in time order, the same way.
import { assetsIn } from '../core/assets.ts';
import type { TriageAssessment } from '../core/triage.ts';

export type { TriageAssessment };

/** What the learner reads of an alert. */
export interface TriageAlert {
  source: string;
  /** The rule's name (or uid, or the title when the source names no rule). */
  rule: string;
  /** Its correlation entities, `kind:value` (domain/entities.ts). */
  entities: string[];
  severity_id: number;
  /** When it arrived, ms since the epoch. */
  at: number;
}

/** An analyst's verdict on a case, told for each distinct rule and entities of its alerts. */
export interface TriageVerdict {
  source: string;
  rule: string;
  entities: string[];
  falsePositive: boolean;
  at: number;
}

export interface TriageOptions {
  /** Hosts, addresses/CIDRs, `*.zones`, instances: RIPOSTE_CRITICAL_ASSETS. */
  criticalAssets?: readonly string[];
  /** Auto-close alerts at or above this false-positive likelihood (off when absent). */
  autoCloseAt?: number;
  /** Verdicts of the same rule (on the same entity, or overall) an auto-close needs at least. */
  autoCloseMinVerdicts?: number;
}

const HOUR = 3_600_000;
const WEEK_HOURS = 168;
/** How far back rates are kept (and how long a rule-on-entity pair is remembered). */
export const TRIAGE_HORIZON_MS = 28 * 24 * HOUR;
/** Verdicts remembered per rule, rule on entity, source: the last ones count, so a rule that changes is relearned. */
const RECENT_VERDICTS = 100;
/** How many verdicts of a parent level one level's estimate is worth (the prior's weight). */
const PRIOR_WEIGHT = 4;
/** A key needs this much history before its rate can be called unusual. */
const BASELINE_MIN_MS = 7 * 24 * HOUR;
/** The learner flags novelty only once it has seen a week (a cold start finds everything new). */
const NOVELTY_MIN_MS = 7 * 24 * HOUR;
/** Auto-close trusts the lower bound of a one-sided 90% Wilson interval, not the estimate. */
const AUTO_CLOSE_Z = 1.2816;
/** How improbable (Poisson tail) a count must be under the baseline to be unusual. */
const UNUSUAL_P = 1e-3;
/** Novelty is about who is hit: hosts, users, cloud resources — not every remote address. */
const NOVELTY_KINDS = ['host:', 'user:', 'cloud:'];

/** The last verdicts of one key: false positives among them. */
class Outcomes {
  private readonly ring: boolean[] = [];
  fp = 0;
  add(falsePositive: boolean): void {
    this.ring.push(falsePositive);
    if (falsePositive) this.fp++;
    if (this.ring.length > RECENT_VERDICTS && this.ring.shift()) this.fp--;
  }
  get n(): number {
    return this.ring.length;
  }
}

/** Alerts of one key per hour (sparse), within the horizon. */
class Rate {
  readonly hours = new Map<number, number>();
  total = 0;
  constructor(readonly first: number) {}
  add(hour: number): void {
    this.hours.set(hour, (this.hours.get(hour) ?? 0) + 1);
    this.total++;
  }
  prune(oldestHour: number): void {
    for (const [h, c] of this.hours) {
      if (h >= oldestHour) continue;
      this.hours.delete(h);
      this.total -= c;
    }
  }
}

const severityName = (id: number): string => ['Unknown', 'Informational', 'Low', 'Medium', 'High', 'Critical', 'Fatal'][id] ?? 'Other';
const pct = (p: number): string => `${Math.round(p * 100)}%`;
const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** The lower end of the Wilson score interval for `k` successes in `n`. */
export function wilsonLower(k: number, n: number, z: number): number {
  if (n === 0) return 0;
  const p = k / n;
  const z2 = z * z;
  return (p + z2 / (2 * n) - z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
}

/** ln(n!), exact for small n, Stirling's series beyond. */
function logFactorial(n: number): number {
  if (n < 20) {
    let f = 0;
    for (let i = 2; i <= n; i++) f += Math.log(i);
    return f;
  }
  return n * Math.log(n) - n + 0.5 * Math.log(2 * Math.PI * n) + 1 / (12 * n) - 1 / (360 * n ** 3);
}

/**
 * P(X >= k) for X ~ Poisson(lambda). Summed upward from k, where the terms shrink fast, so a busy
 * hour (k in the thousands) costs a few steps, not k.
 */
export function poissonTail(k: number, lambda: number): number {
  if (k <= 0) return 1;
  if (k <= lambda) return Math.max(0, 1 - poissonCdfBelow(k, lambda));
  let term = Math.exp(-lambda + k * Math.log(lambda) - logFactorial(k));
  let sum = 0;
  for (let i = k; term > sum * 1e-12 && i < k + 10_000; i++) {
    sum += term;
    term *= lambda / (i + 1);
  }
  return Math.min(1, sum);
}

/** P(X < k), summed from 0 (k at most lambda here: a quiet hour). */
function poissonCdfBelow(k: number, lambda: number): number {
  let term = Math.exp(-lambda);
  let below = term;
  for (let i = 1; i < k; i++) {
    term *= lambda / i;
    below += term;
  }
  return below;
}

export class TriageLearner {
  private readonly outcomes = new Map<string, Outcomes>();
  private readonly rates = new Map<string, Rate>();
  /** `rule@entity` → when last seen. */
  private readonly pairs = new Map<string, number>();
  private firstSeen: number | undefined;
  private prunedAt = 0;

  constructor(private readonly opts: TriageOptions = {}) {}

  /** How the next alert like this one would be judged (call before `observe`). */
  assess(alert: TriageAlert): TriageAssessment {
    const fp = this.fpLikelihood(alert);
    const rate = this.unusualRate(alert);
    const novelOn = this.novelEntities(alert);
    const critical = this.opts.criticalAssets?.length ? assetsIn(this.opts.criticalAssets, alert.entities.map((e) => e.slice(e.indexOf(':') + 1))) : [];
    const severity = Math.min(Math.max(alert.severity_id, 1), 5) / 5;
    const unusual = rate !== undefined;
    const novel = novelOn.length > 0;
    const priority = Math.round(100 * (0.4 * severity + 0.3 * (1 - fp.p) + 0.15 * (critical.length ? 1 : 0) + 0.15 * (unusual || novel ? 1 : 0)));

    const reasons: Array<[number, string]> = [[0.4 * severity, `${severityName(alert.severity_id)} severity`]];
    reasons.push([0.3 * (1 - fp.p), `false-positive likelihood ${pct(fp.p)}: ${fp.basis}`]);
    if (critical.length) reasons.push([0.15, `critical asset${critical.length > 1 ? 's' : ''}: ${critical.join(', ')}`]);
    if (rate) reasons.push([0.15, `unusual: ${rate}`]);
    if (novel) reasons.push([0.15, `first time rule "${alert.rule}" fires on ${novelOn.join(', ')}`]);
    reasons.sort((a, b) => b[0] - a[0]);

    const autoClose = this.opts.autoCloseAt !== undefined && fp.p >= this.opts.autoCloseAt && fp.lowerBound >= this.opts.autoCloseAt && !unusual && !novel && !critical.length;
    return {
      priority,
      fpLikelihood: Math.round(fp.p * 1000) / 1000,
      fpBasis: fp.basis,
      unusual,
      novel,
      critical,
      reasons: reasons.map(([, r]) => r),
      ...(this.opts.autoCloseAt !== undefined ? { autoClose } : {}),
    };
  }

  /** Counts an alert into the rates and remembers its rule on its entities. */
  observe(alert: TriageAlert): void {
    this.firstSeen = Math.min(this.firstSeen ?? alert.at, alert.at);
    const hour = Math.floor(alert.at / HOUR);
    for (const key of this.rateKeys(alert)) {
      let rate = this.rates.get(key);
      if (!rate) this.rates.set(key, (rate = new Rate(alert.at)));
      rate.add(hour);
    }
    for (const e of alert.entities) this.pairs.set(`${alert.source}/${alert.rule}@${e}`, alert.at);
    if (alert.at - this.prunedAt > HOUR) this.prune(alert.at);
  }

  /** Learns from a verdict. */
  learn(v: TriageVerdict): void {
    const rule = `${v.source}/${v.rule}`;
    // `named:` counts the rule's name on the entity whatever the source: what a suppression rule
    // (rule and host) would cover.
    const keys = ['*', `source:${v.source}`, `rule:${rule}`, ...v.entities.flatMap((e) => [`rule:${rule}@${e}`, `named:${v.rule}@${e}`])];
    for (const key of keys) {
      let o = this.outcomes.get(key);
      if (!o) this.outcomes.set(key, (o = new Outcomes()));
      o.add(v.falsePositive);
    }
  }

  /** The verdicts on a rule (by name, from any source) on an entity: false positives of how many. */
  verdictsOn(rule: string, entity: string): { falsePositives: number; total: number } {
    const o = this.outcomes.get(`named:${rule}@${entity}`);
    return { falsePositives: o?.fp ?? 0, total: o?.n ?? 0 };
  }

  /** How many keys the learner holds (rates, pairs, verdict keys): its memory, roughly. */
  size(): { rates: number; pairs: number; verdictKeys: number } {
    return { rates: this.rates.size, pairs: this.pairs.size, verdictKeys: this.outcomes.size };
  }

  private rateKeys(a: TriageAlert): string[] {
    return [`rule:${a.source}/${a.rule}`, ...a.entities.map((e) => `entity:${e}`)];
  }

  /** Shrinks each level toward the one above: source → rule → rule on entity. */
  private fpLikelihood(a: TriageAlert): { p: number; basis: string; lowerBound: number } {
    const rule = `${a.source}/${a.rule}`;
    const level = (key: string, parent: number): { p: number; o?: Outcomes } => {
      const o = this.outcomes.get(key);
      return o ? { p: (o.fp + PRIOR_WEIGHT * parent) / (o.n + PRIOR_WEIGHT), o } : { p: parent };
    };
    const all = level('*', 0.5);
    const source = level(`source:${a.source}`, all.p);
    const byRule = level(`rule:${rule}`, source.p);
    // The entity with the most verdicts speaks for the rule on this alert's entities.
    let best: { p: number; o?: Outcomes; entity?: string } = { p: byRule.p };
    for (const e of a.entities) {
      const l = level(`rule:${rule}@${e}`, byRule.p);
      if (l.o && (!best.o || l.o.n > best.o.n)) best = { ...l, entity: e };
    }
    const says = (o: Outcomes, what: string): string =>
      o.n === 1 ? `the one case of ${what} was ${o.fp ? 'a false positive' : 'real'}` : `${o.fp} of the last ${o.n} cases of ${what} were false positives`;
    let basis: string;
    if (best.o && best.entity) basis = says(best.o, `rule "${a.rule}" on ${best.entity}`);
    else if (byRule.o) basis = says(byRule.o, `rule "${a.rule}"`);
    else if (source.o) basis = `no verdict yet on rule "${a.rule}"; ${says(source.o, `source ${a.source}`)}`;
    else if (all.o) basis = `no verdict yet on rule "${a.rule}" or source ${a.source}; ${says(all.o, 'every rule')}`;
    else basis = 'no verdicts yet: an even prior';
    // What auto-close trusts: the verdicts of this rule alone (on the entity, when it has enough).
    const min = this.opts.autoCloseMinVerdicts ?? 10;
    const own = best.o && best.o.n >= min ? best.o : byRule.o;
    return { p: best.p, basis, lowerBound: own && own.n >= min ? wilsonLower(own.fp, own.n, AUTO_CLOSE_Z) : 0 };
  }

  /** Why this alert is far above its rule's or an entity's normal rate this hour, or nothing. */
  private unusualRate(a: TriageAlert): string | undefined {
    const hour = Math.floor(a.at / HOUR);
    let worst: { p: number; text: string } | undefined;
    for (const key of this.rateKeys(a)) {
      const rate = this.rates.get(key);
      if (!rate || a.at - rate.first < BASELINE_MIN_MS) continue;
      const now = (rate.hours.get(hour) ?? 0) + 1;
      const weeks = Math.min(4, Math.floor((a.at - rate.first) / (WEEK_HOURS * HOUR)));
      let sameHour = 0;
      for (let w = 1; w <= weeks; w++) sameHour += rate.hours.get(hour - w * WEEK_HOURS) ?? 0;
      const spanHours = Math.max(1, Math.min(TRIAGE_HORIZON_MS / HOUR, Math.floor((a.at - rate.first) / HOUR)));
      const hourly = (rate.total - (now - 1)) / spanHours;
      // The busier of this hour of the week and an average hour: a quiet night does not make an
      // ordinary Monday morning look like a burst.
      const lambda = Math.max(0.05, sameHour / weeks, hourly);
      const p = poissonTail(now, lambda);
      if (p < UNUSUAL_P && (!worst || p < worst.p)) {
        const what = key.startsWith('rule:') ? `rule "${a.rule}"` : key.slice('entity:'.length);
        worst = { p, text: `${plural(now, 'alert')} of ${what} this hour, against ${lambda.toFixed(1)} usual for this hour of the week` };
      }
    }
    return worst?.text;
  }

  private novelEntities(a: TriageAlert): string[] {
    if (this.firstSeen === undefined || a.at - this.firstSeen < NOVELTY_MIN_MS) return [];
    return a.entities.filter((e) => NOVELTY_KINDS.some((k) => e.startsWith(k)) && !this.pairs.has(`${a.source}/${a.rule}@${e}`));
  }

  private prune(now: number): void {
    this.prunedAt = now;
    const oldestHour = Math.floor((now - TRIAGE_HORIZON_MS) / HOUR);
    for (const [key, rate] of this.rates) {
      rate.prune(oldestHour);
      if (rate.total === 0) this.rates.delete(key);
    }
    for (const [pair, at] of this.pairs) if (now - at > TRIAGE_HORIZON_MS) this.pairs.delete(pair);
  }
}
