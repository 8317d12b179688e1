// The one hunting interface every search backend answers: indicators in, sightings out.
// Types only — safe for workflows to import.
import type { Observable } from '../../core/alert.ts';

export interface HuntInput {
  /** What to look for: ip, domain, url, hash, user or hostname observables. */
  indicators: Observable[];
  /** The window searched (ISO 8601). */
  from: string;
  to: string;
  /** Sightings returned at most, per backend (default 100). */
  limit?: number;
}

/** One place an indicator was seen. */
export interface HuntSighting {
  indicator: Observable;
  at: string;
  /** The host that did it, when the log says (a client IP, a hostname). */
  host?: string;
  /** The backend and where in it: an index, a sourcetype, a log file. */
  backend: string;
  where: string;
  /** The matching line or event, trimmed. */
  excerpt: string;
}

export type HuntResult =
  | { status: 'ok'; backend: string; sightings: HuntSighting[]; truncated: boolean; from: string; to: string }
  | { status: 'skipped'; backend: string; reason: string };

/** "Hunt these indicators since T" across every configured backend. */
export interface SearchInput extends HuntInput {
  /** The backends to ask, as the run's context recorded them. */
  backends: string[];
}

export interface SearchResult {
  results: Array<{ backend: string; status: 'ok' | 'skipped' | 'failed'; sightings: number; truncated?: boolean; reason?: string }>;
  /** Every backend's sightings together, newest first, at most `limit`. */
  sightings: HuntSighting[];
  /** Sightings left out because the host was this worker itself (its own lookups). */
  ownLeftOut?: number;
}
