// AlienVault OTX DirectConnect API v1: only the fields Riposte reads. Types only.
import type { EnrichmentOutcome } from '../../core/verdict.ts';

export type OtxIndicatorKind = 'ip' | 'domain' | 'url' | 'hash';
export interface LookupInput { kind: OtxIndicatorKind; value: string }
export type LookupResult = EnrichmentOutcome;

/** GET /api/v1/indicators/{type}/{value}/general */
export interface OtxGeneral {
  indicator: string;
  type?: string;
  reputation?: number;
  pulse_info?: {
    count: number;
    pulses?: Array<{ id: string; name: string; tags?: string[]; created?: string; malware_families?: Array<{ display_name?: string } | string> }>;
  };
  /** Present for well-known domains (Alexa/Majestic lists, whitelists): evidence of benign use. */
  validation?: Array<{ source: string; message?: string; name?: string }>;
}
