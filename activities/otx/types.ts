// AlienVault OTX DirectConnect API v1: only the fields Riposte reads. Types only.
import type { FeedResult } from '../../core/indicator.ts';
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

export interface SubscribedIndicatorsInput {
  /** ISO 8601 with a zone: indicators of subscribed pulses modified at or after it. */
  since: string;
  /** Indicators returned at most, 1–5000 (default 1000). */
  limit?: number;
}
export type SubscribedIndicatorsResult = FeedResult;

/** GET /api/v1/pulses/subscribed — one page of the pulses the key's user subscribes to. */
export interface OtxPulsePage {
  count?: number;
  /** The next page's URL, null on the last. */
  next?: string | null;
  previous?: string | null;
  results?: OtxPulse[];
}

export interface OtxPulse {
  id: string;
  name: string;
  description?: string;
  author_name?: string;
  /** UTC without a zone, e.g. "2026-11-21T10:02:11.512000". */
  created?: string;
  modified?: string;
  tags?: string[];
  /** Set when the pulse holds more indicators than the page carries. */
  more_indicators?: boolean;
  indicators?: OtxPulseIndicator[];
}

export interface OtxPulseIndicator {
  id: number;
  indicator: string;
  /** IPv4, IPv6, domain, hostname, URL, FileHash-MD5/SHA1/SHA256, and others Riposte does not hunt. */
  type: string;
  /** UTC without a zone. */
  created?: string;
  title?: string;
  description?: string;
  /** UTC without a zone; null when it never expires. */
  expiration?: string | null;
  /** 1 active, 0 retired by the pulse author. */
  is_active?: number | boolean;
  role?: string | null;
}
