// VirusTotal API v3: only the fields Riposte reads. Types only — safe for workflows to import.
import type { EnrichmentOutcome } from '../../core/verdict.ts';

export interface LookupDomainInput { domain: string }
export interface LookupIpInput { ip: string }
export interface LookupUrlInput { url: string }
export interface LookupFileInput { hash: string }
export type LookupResult = EnrichmentOutcome;

/** GET /domains/{domain}, /ip_addresses/{ip}: `data.attributes` as far as we use it. */
export interface VtObject {
  data: {
    id: string;
    type: string;
    attributes: {
      last_analysis_stats?: { harmless?: number; malicious?: number; suspicious?: number; undetected?: number; timeout?: number };
      reputation?: number;
      tags?: string[];
      creation_date?: number;
      first_submission_date?: number;
      last_analysis_date?: number;
      /** Files: the names it was submitted under, and its type. */
      meaningful_name?: string;
      type_description?: string;
      /** URLs: where it finally led. */
      last_final_url?: string;
    };
  };
}
