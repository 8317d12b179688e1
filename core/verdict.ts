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
