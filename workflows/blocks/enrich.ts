// Runs in the Temporal sandbox. "Enrich these observables": every reputation source the run's
// context lists for each observable's type (and DNS and the first-seen store for domains), asked
// by one activity with bounded concurrency; each source's answer is kept as evidence and the
// observables get one merged verdict. A source that fails is recorded, never fatal.
import type { EnrichInput } from '../../activities/enrichment/types.ts';
import type { Observable } from '../../core/alert.ts';
import { mergeVerdicts, type EnrichmentOutcome, type MergedVerdict } from '../../core/verdict.ts';
import type { PlaybookRun } from '../playbook.ts';
import { LOOKUP } from './activity-options.ts';
import { quickCall } from './quick.ts';
import { failureType, message } from './ticket-sync.ts';

/** How a quick lookup marks a source that would have waited for its rate limit (activities/shared/errors.ts). */
const WOULD_WAIT = 'RateLimitWouldWaitError';

const ENRICHABLE = ['ip', 'domain', 'url', 'hash'] as const;
type Enrichable = (typeof ENRICHABLE)[number];

export interface Enriched {
  outcomes: EnrichmentOutcome[];
  /** One verdict per observable, the worst any source gave, with every source's summary. */
  verdicts: MergedVerdict[];
}

/**
 * `firstSeen: false` leaves the first-seen store out (a playbook that is not the one judging
 * whether a domain is new, so it never makes the domain look seen to the one that is).
 */
export async function enrich(run: PlaybookRun, observables: Observable[], opts: { firstSeenHost?: string; firstSeen?: boolean } = {}): Promise<Enriched> {
  const { record, providers, unconfigured } = run;
  const wanted = observables.filter((o): o is Observable & { type: Enrichable } => (ENRICHABLE as readonly string[]).includes(o.type));
  if (wanted.length === 0) return { outcomes: [], verdicts: [] };
  const types = [...new Set(wanted.map((o) => o.type))];
  for (const t of types) {
    const reputation = providers.enrich[t].filter((s) => s !== 'dns');
    if (reputation.length === 0) record.skip(`enrich.${t}`, `no reputation source is configured for ${t === 'ip' ? 'IP addresses' : `${t}s`}`, unconfigured[`enrich.${t}`] ?? []);
  }
  const sources = Object.fromEntries(types.map((t) => [t, providers.enrich[t]]));
  let outcomes: EnrichmentOutcome[];
  const input: EnrichInput = {
    observables: wanted,
    sources,
    ...(providers.firstSeen && opts.firstSeen !== false && types.includes('domain')
      ? { firstSeen: { record: !run.dryRun, idempotencyKey: run.key('first-seen'), source: `case ${run.caseId}`, ...(opts.firstSeenHost ? { host: opts.firstSeenHost } : {}) } }
      : {}),
  };
  try {
    ({ outcomes } = await quickCall(run.quick, 'enrichmentLookup', LOOKUP, input));
    // Sources a quick lookup left because their rate limit would make them wait: asked again by a regular activity, which waits its turn.
    const waiting = outcomes.filter((o) => o.status === 'failed' && o.errorType === WOULD_WAIT);
    if (waiting.length > 0) {
      const later = await quickCall(false, 'enrichmentLookup', LOOKUP, { ...input, only: waiting.map((o) => ({ source: o.source, value: o.observable.value })) });
      outcomes = [...outcomes.filter((o) => !waiting.includes(o)), ...later.outcomes];
    }
  } catch (err) {
    // Every source at once could not be asked (the activity ran out of retries).
    outcomes = wanted.map((observable) => ({ source: 'enrichment', observable, status: 'failed', reason: message(err), errorType: failureType(err) }));
  }
  for (const o of outcomes) {
    record.note('enrich', `${o.source} ${o.observable.value}: ${o.status === 'ok' ? `${o.verdict.level} — ${o.verdict.summary}` : `${o.status} — ${o.reason}`}`);
  }
  record.addEnrichment(outcomes);
  return { outcomes, verdicts: mergeVerdicts(outcomes) };
}

/** The addresses a set of enrichment outcomes resolved domains to (DNS answers). */
export function resolvedAddresses(outcomes: EnrichmentOutcome[]): string[] {
  return [...new Set(outcomes.flatMap((e) => (e.status === 'ok' && e.source === 'dns' ? e.verdict.related.filter((r) => r.type === 'ip').map((r) => r.value) : [])))];
}
