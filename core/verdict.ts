// The shared enrichment result and the documented C2 score. Pure: no imports but types.
import type { Observable } from './alert.ts';

/** Cortex-style levels, in increasing order of concern. */
export const VerdictLevel = { safe: 'safe', info: 'info', suspicious: 'suspicious', malicious: 'malicious' } as const;
export type VerdictLevel = (typeof VerdictLevel)[keyof typeof VerdictLevel];

const LEVEL_ORDER: Record<VerdictLevel, number> = { safe: 0, info: 1, suspicious: 2, malicious: 3 };

/** One source's opinion on one observable, normalized; vendor JSON never leaves the activity. */
export interface EnrichmentVerdict {
  source: string;
  observable: Observable;
  level: VerdictLevel;
  /** 0–100; how each source computes it is documented in its README. */
  score: number;
  /** One line a human can read, e.g. "7/92 engines flag it malicious". */
  summary: string;
  /** False when the source has never heard of the observable (HTTP 404 and the like). */
  found: boolean;
  firstSeen?: string;
  /** When the domain was registered (WHOIS), where the source says. */
  registeredAt?: string;
  tags: string[];
  /** New observables the source revealed (resolved addresses, related domains). */
  related: Observable[];
}

/** What one enrichment step came to: a verdict, or a recorded skip or failure. */
export type EnrichmentOutcome =
  | { source: string; observable: Observable; status: 'ok'; verdict: EnrichmentVerdict }
  | { source: string; observable: Observable; status: 'skipped'; reason: string }
  | { source: string; observable: Observable; status: 'failed'; reason: string; errorType?: string };

export interface Assessment {
  level: VerdictLevel | 'inconclusive';
  score: number;
  /** True when reputation sources settled it; false when the alert's severity decided. */
  conclusive: boolean;
  askToContain: boolean;
  reasons: string[];
}

/** OCSF High. At or above it, an inconclusive alert still asks to contain. */
export const SEVERITY_ASK_THRESHOLD = 4;

/**
 * The suspected-C2 score (documented in docs/playbooks/suspected-c2.md):
 * - score = the highest score any reputation source gave;
 * - any source saying suspicious or malicious → ask to contain;
 * - otherwise any source affirming safe → no containment;
 * - otherwise (nothing configured, nothing known) the alert's severity decides:
 *   High (4) or above asks to contain.
 */
export function assessC2(outcomes: EnrichmentOutcome[], severityId: number): Assessment {
  const verdicts = outcomes.flatMap((o) => (o.status === 'ok' && o.source !== 'dns' ? [o.verdict] : []));
  const score = verdicts.reduce((max, v) => Math.max(max, v.score), 0);
  const worst = verdicts.reduce<VerdictLevel | undefined>(
    (acc, v) => (acc === undefined || LEVEL_ORDER[v.level] > LEVEL_ORDER[acc] ? v.level : acc),
    undefined
  );
  const reasons = verdicts
    .filter((v) => v.level !== VerdictLevel.info)
    .map((v) => `${v.source}: ${v.observable.value} is ${v.level} (${v.summary})`);

  if (worst === VerdictLevel.malicious || worst === VerdictLevel.suspicious) {
    return { level: worst, score, conclusive: true, askToContain: true, reasons };
  }
  if (worst === VerdictLevel.safe || (worst === VerdictLevel.info && verdicts.some((v) => v.level === 'safe'))) {
    return { level: VerdictLevel.safe, score, conclusive: true, askToContain: false, reasons };
  }
  const high = severityId >= SEVERITY_ASK_THRESHOLD && severityId !== 99;
  return {
    level: 'inconclusive',
    score,
    conclusive: false,
    askToContain: high,
    reasons: [
      ...reasons,
      `reputation inconclusive; alert severity ${severityId} ${high ? 'is High or above: asking to contain' : 'is below High: no containment'}`,
    ],
  };
}

// ---- Merged verdicts and the version-2 decisions --------------------------------------------
// Decision code runs inside workflows: a published function never changes. A new rule is a new
// function (assessC2V2 beside assessC2) chosen by the playbook behind `patched()`.

/** One observable's verdict over every source that answered: the worst level, the highest score. */
export interface MergedVerdict {
  observable: Observable;
  level: VerdictLevel | 'unknown';
  score: number;
  sources: Array<{ source: string; level: VerdictLevel; summary: string }>;
  registeredAt?: string;
}

/** Tag the first-seen source puts on a domain nobody in the estate had looked up before. */
export const FIRST_SEEN_TAG = 'first-seen';

export function mergeVerdicts(outcomes: EnrichmentOutcome[]): MergedVerdict[] {
  const byKey = new Map<string, MergedVerdict>();
  for (const o of outcomes) {
    const key = `${o.observable.type}:${o.observable.value}`;
    const merged = byKey.get(key) ?? { observable: o.observable, level: 'unknown', score: 0, sources: [] };
    byKey.set(key, merged);
    if (o.status !== 'ok' || o.source === 'dns' || o.source === 'first-seen') continue;
    const v = o.verdict;
    merged.sources.push({ source: o.source, level: v.level, summary: v.summary });
    merged.score = Math.max(merged.score, v.score);
    if (merged.level === 'unknown' || LEVEL_ORDER[v.level] > LEVEL_ORDER[merged.level]) merged.level = v.level;
    if (v.registeredAt && !merged.registeredAt) merged.registeredAt = v.registeredAt;
  }
  return [...byKey.values()];
}

/** Domains the first-seen store had never seen before this alert. */
export function firstSeenDomains(outcomes: EnrichmentOutcome[]): string[] {
  return outcomes.flatMap((o) => (o.status === 'ok' && o.source === 'first-seen' && o.verdict.tags.includes(FIRST_SEEN_TAG) ? [o.observable.value] : []));
}

/** OCSF Medium: a never-seen domain asks to contain from here on when reputation is silent. */
export const FIRST_SEEN_ASK_THRESHOLD = 3;

/**
 * The suspected-C2 score, version 2 (docs/playbooks/suspected-c2.md): version 1's rules, and a
 * domain this estate has never looked up before adds 30 to the score; when reputation is silent
 * such a domain asks to contain from Medium severity up (version 1: from High).
 */
export function assessC2V2(outcomes: EnrichmentOutcome[], severityId: number): Assessment {
  const reputation = outcomes.filter((o) => o.source !== 'first-seen');
  const base = assessC2(reputation, severityId);
  const fresh = firstSeenDomains(outcomes);
  if (fresh.length === 0) return base;
  const reasons = [...base.reasons.filter((r) => !r.startsWith('reputation inconclusive')), ...fresh.map((d) => `${d} was never seen before in this estate`)];
  const score = Math.min(100, base.score + 30);
  if (base.level !== 'inconclusive') return { ...base, score, reasons };
  const ask = severityId >= FIRST_SEEN_ASK_THRESHOLD && severityId !== 99;
  return {
    level: 'suspicious',
    score,
    conclusive: false,
    askToContain: ask,
    reasons: [...reasons, `reputation inconclusive; a first-seen domain at severity ${severityId} ${ask ? 'is Medium or above: asking to contain' : 'is below Medium: no containment'}`],
  };
}

/** Registered this recently, a domain counts against itself. */
export const YOUNG_DOMAIN_DAYS = 30;

/**
 * A never-seen domain, version 1 (docs/playbooks/never-seen-domain.md): suspicious when any
 * reputation source calls it suspicious or malicious, or when it was registered in the last 30
 * days and no source vouches for it; benign otherwise (inconclusive when no source answered).
 */
export function assessNewDomain(outcomes: EnrichmentOutcome[], at: string): Assessment {
  const verdicts = mergeVerdicts(outcomes).filter((v) => v.observable.type === 'domain');
  const worst = verdicts.reduce<VerdictLevel | 'unknown'>((acc, v) => (acc === 'unknown' || (v.level !== 'unknown' && LEVEL_ORDER[v.level] > LEVEL_ORDER[acc]) ? v.level : acc), 'unknown');
  const score = verdicts.reduce((m, v) => Math.max(m, v.score), 0);
  const reasons = verdicts.flatMap((v) => v.sources.filter((s) => s.level !== 'info').map((s) => `${s.source}: ${v.observable.value} is ${s.level} (${s.summary})`));
  const young = verdicts.flatMap((v) => {
    if (!v.registeredAt) return [];
    const days = (Date.parse(at) - Date.parse(v.registeredAt)) / 86_400_000;
    return days >= 0 && days < YOUNG_DOMAIN_DAYS ? [`${v.observable.value} was registered ${Math.floor(days)} days ago`] : [];
  });
  if (worst === 'malicious' || worst === 'suspicious') return { level: worst, score, conclusive: true, askToContain: true, reasons: [...reasons, ...young] };
  if (worst === 'safe') return { level: 'safe', score, conclusive: true, askToContain: false, reasons };
  if (young.length > 0) return { level: 'suspicious', score: Math.max(score, 40), conclusive: true, askToContain: true, reasons: [...reasons, ...young] };
  if (worst === 'info') return { level: 'info', score, conclusive: true, askToContain: false, reasons: [...reasons, 'no source flags it and it is not newly registered'] };
  return { level: 'inconclusive', score, conclusive: false, askToContain: false, reasons: ['no reputation source answered; nothing says it is bad'] };
}

/**
 * Malware on an endpoint, version 1 (docs/playbooks/malware-on-endpoint.md): a file any
 * reputation source calls suspicious or malicious asks to isolate its host; with reputation
 * silent, the detection's own severity decides (High or above asks), since the EDR that raised it
 * already judged the file.
 */
export function assessMalware(outcomes: EnrichmentOutcome[], severityId: number): Assessment {
  const hashes = outcomes.filter((o) => o.observable.type === 'hash');
  const base = assessC2(hashes, severityId);
  return base.level === 'inconclusive'
    ? { ...base, reasons: base.reasons.map((r) => r.replace('reputation inconclusive', 'reputation of the file inconclusive').replace('asking to contain', 'asking to isolate').replace('no containment', 'no isolation')) }
    : base;
}
