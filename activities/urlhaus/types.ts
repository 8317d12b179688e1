// URLhaus (abuse.ch) API v1: only the fields Riposte reads. Types only — safe for workflows to import.
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
