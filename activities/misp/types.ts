// MISP: the feed pull's input and result. Types only — safe for workflows to import.
import type { FeedResult } from '../../core/indicator.ts';

export interface RecentIndicatorsInput {
  /** ISO 8601 with a zone: attributes of events published at or after it. */
  since: string;
  /** Indicators returned at most, 1–5000 (default 1000). */
  limit?: number;
}

export type RecentIndicatorsResult = FeedResult;
