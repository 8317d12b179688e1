// "Enrich these observables": every configured reputation source for each observable's type,
// one merged verdict with each source's evidence. Types only — safe for workflows to import.
import type { Observable } from '../../core/alert.ts';
import type { EnrichmentOutcome } from '../../core/verdict.ts';

export interface EnrichInput {
  observables: Observable[];
  /** The sources to ask per type, as the run's context recorded them. */
  sources: { ip?: string[]; domain?: string[]; url?: string[]; hash?: string[] };
  /**
   * Ask the first-seen store about domains. `record` also records this sighting (once per key),
   * so the next alert about the domain no longer finds it new; a dry run only reads.
   */
  firstSeen?: { record: boolean; idempotencyKey: string; source: string; host?: string };
  /**
   * Only these (source, observable value) pairs — the ones a quick lookup left for a regular
   * activity (their rate limit asked them to wait). The first-seen store is `first-seen`.
   */
  only?: Array<{ source: string; value: string }>;
}

export interface EnrichResult {
  outcomes: EnrichmentOutcome[];
}
