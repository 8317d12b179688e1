// GreyNoise Community API v3: only the fields Riposte reads. Types only — safe for workflows to import.
import type { EnrichmentOutcome } from '../../core/verdict.ts';

export interface LookupIpInput { ip: string }
export type LookupResult = EnrichmentOutcome;

/** GET /v3/community/{ip} — 200 when GreyNoise knows the address, 404 (same shape) when not. */
export interface GreyNoiseCommunity {
  ip: string;
  /** Seen scanning the internet in the last 90 days. */
  noise: boolean;
  /** A known-good business service (RIOT: CDNs, public resolvers, SaaS). */
  riot: boolean;
  classification?: 'benign' | 'malicious' | 'unknown' | string;
  name?: string;
  link?: string;
  last_seen?: string;
  message?: string;
}
