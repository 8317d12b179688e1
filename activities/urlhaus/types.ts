// URLhaus (abuse.ch) API v1: only the fields Riposte reads. Types only — safe for workflows to import.
import type { FeedResult } from '../../core/indicator.ts';
import type { EnrichmentOutcome } from '../../core/verdict.ts';

export interface LookupHostInput { host: string }
export interface LookupUrlInput { url: string }
export type LookupResult = EnrichmentOutcome;

/** POST /v1/host/ — a domain or IP and the malware URLs seen on it. */
export interface UrlhausHost {
  query_status: 'ok' | 'no_results' | 'invalid_host' | string;
  urlhaus_reference?: string;
  host?: string;
  firstseen?: string;
  url_count?: string;
  urls?: Array<{ url: string; url_status: 'online' | 'offline' | 'unknown' | string; date_added?: string; threat?: string; tags?: string[] | null }>;
}

/** POST /v1/url/ — one URL. */
export interface UrlhausUrl {
  query_status: 'ok' | 'no_results' | 'invalid_url' | string;
  urlhaus_reference?: string;
  url?: string;
  url_status?: 'online' | 'offline' | 'unknown' | string;
  host?: string;
  date_added?: string;
  threat?: string;
  tags?: string[] | null;
}

export interface RecentIndicatorsInput {
  /** ISO 8601 with a zone: URLs added at or after it. Absent: all URLhaus lists as recent (its last 3 days). */
  since?: string;
  /** Indicators returned at most, 1–5000 (default 1000). */
  limit?: number;
}
export type RecentIndicatorsResult = FeedResult;

/** GET /v1/urls/recent/[limit/<n>/] — URLs added in the last 3 days, newest first, 1000 at most. */
export interface UrlhausRecent {
  query_status: 'ok' | 'no_results' | string;
  urls?: UrlhausRecentUrl[];
}

export interface UrlhausRecentUrl {
  id: string;
  urlhaus_reference?: string;
  url: string;
  url_status?: 'online' | 'offline' | 'unknown' | string;
  /** The URL's host: a domain or an IP address. */
  host?: string;
  /** "2026-11-30 21:14:07 UTC" */
  date_added?: string;
  threat?: string;
  reporter?: string;
  tags?: string[] | null;
}
