import type { EnrichmentOutcome } from '../../core/verdict.ts';

export interface ResolveDomainInput { domain: string }
export type ResolveDomainResult = EnrichmentOutcome;

export interface RecordSightingInput {
  domain: string;
  /** Where it was seen: the alert source, or the log it was hunted in. */
  source: string;
  host?: string;
  /** When it was seen (ISO 8601); the activity's start time if absent. */
  at?: string;
  /** From the workflow (`${workflowId}:${step}`): a retry answers what the first attempt did. */
  idempotencyKey: string;
}

export interface FirstSeenInput { domain: string }

export type { SightingAnswer, Sighting } from './first-seen.ts';
