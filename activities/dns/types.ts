import type { EnrichmentOutcome } from '../../core/verdict.ts';

export interface ResolveDomainInput { domain: string }
export type ResolveDomainResult = EnrichmentOutcome;
