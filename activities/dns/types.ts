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

/** A playbook's conclusion about a domain, kept beside its first sighting. */
export interface RememberVerdictInput {
  domain: string;
  verdict: 'benign' | 'suspicious' | 'malicious';
  /** The case that concluded it. */
  caseId: string;
  /** When it was concluded (ISO 8601; the workflow's time). */
  at: string;
  /** Why, in a line (the verdict's reasons). */
  reason?: string;
  /** From the workflow (`${workflowId}:${step}`): a retry remembers once and answers the same. */
  idempotencyKey: string;
}

export type RememberVerdictResult =
  | { status: 'ok'; domain: string; verdict: 'benign' | 'suspicious' | 'malicious'; caseId: string; at: string; reason?: string; already: boolean }
  | { status: 'skipped'; reason: string };

export type { SightingAnswer, Sighting, RememberedVerdict } from './first-seen.ts';
