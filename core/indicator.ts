// What a threat-intel feed (or an analyst) says to look for: one indicator, normalized, with
// where it came from, and what a pull of recent indicators from a feed answers. Pure types and
// rules only — imported by workflows and activities alike.
import type { ObservableType } from './alert.ts';

/** Every indicator type is also an observable type, so an indicator can be hunted as it is. */
export const IndicatorType = { ip: 'ip', domain: 'domain', url: 'url', hash: 'hash' } as const satisfies Record<string, ObservableType>;
export type IndicatorType = (typeof IndicatorType)[keyof typeof IndicatorType];

export interface Indicator {
  type: IndicatorType;
  /** Normalized: domains and hashes lower-cased; IPs and URLs as the feed gave them. */
  value: string;
  /** 'misp' | 'otx' | 'urlhaus' | 'analyst' */
  source: string;
  /** The feed's event, pulse or entry: an id or a link. */
  reference?: string;
  /** At most FEED_LIMITS.description characters. */
  description?: string;
  /** ISO 8601, when the feed says. */
  firstSeen?: string;
  /** ISO 8601, when the feed says. */
  expiresAt?: string;
}

/**
 * One pull of recent indicators from a feed. `until` is the time the pull covers up to: keep it
 * as the next pull's `since`. `truncated` says the feed held more than the pull returned.
 */
export type FeedResult =
  | { status: 'ok'; source: string; indicators: Indicator[]; truncated: boolean; until: string }
  | { status: 'skipped'; source: string; reason: string };

export const FEED_LIMITS = { defaultLimit: 1000, maxLimit: 5000, description: 500 } as const;

/** Two indicators are the same when their type and value are. */
export function indicatorKey(i: Pick<Indicator, 'type' | 'value'>): string {
  return `${i.type}:${i.value}`;
}

/** Folds duplicates (the first one stays) and keeps at most `limit`; truncated when any was left out. */
export function foldIndicators(candidates: Iterable<Indicator>, limit: number): { indicators: Indicator[]; truncated: boolean } {
  const kept = new Map<string, Indicator>();
  for (const c of candidates) {
    const key = indicatorKey(c);
    if (kept.has(key)) continue;
    if (kept.size === limit) return { indicators: [...kept.values()], truncated: true };
    kept.set(key, c);
  }
  return { indicators: [...kept.values()], truncated: false };
}

/** A description cut to the length every indicator is held to; nothing for empty text. */
export function clipDescription(text: string | undefined): string | undefined {
  const t = text?.trim();
  if (!t) return undefined;
  return t.length <= FEED_LIMITS.description ? t : `${t.slice(0, FEED_LIMITS.description - 1)}…`;
}

// A full date and time with its zone: without one, "since" would mean the worker's local time.
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;

export type FeedInputCheck = { ok: true; since?: string; limit: number } | { ok: false; problem: string };

/**
 * Checks a pull's input: `since` an ISO 8601 date-time with a zone (required unless the feed has
 * its own window), `limit` a whole number 1–5000 (default 1000). `since` comes back in UTC.
 */
export function checkFeedInput(input: { since?: unknown; limit?: unknown } | undefined, sinceRequired: boolean): FeedInputCheck {
  const { since, limit = FEED_LIMITS.defaultLimit } = input ?? {};
  if (since === undefined && sinceRequired) return { ok: false, problem: 'since is required (ISO 8601, e.g. 2026-11-20T00:00:00Z)' };
  if (since !== undefined && (typeof since !== 'string' || !ISO_INSTANT.test(since) || Number.isNaN(Date.parse(since)))) {
    return { ok: false, problem: `since must be an ISO 8601 date-time with a zone, not ${JSON.stringify(since)?.slice(0, 40)}` };
  }
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > FEED_LIMITS.maxLimit) {
    return { ok: false, problem: `limit must be a whole number from 1 to ${FEED_LIMITS.maxLimit}` };
  }
  return { ok: true, limit, ...(typeof since === 'string' ? { since: new Date(since).toISOString() } : {}) };
}
