// How the front doors answer, as pure functions of the results — rendered by the API when it
// answers, and again from the kept results when an Idempotency-Key is replayed.
import type { IngestResult } from '../../store/types.ts';
import type { FieldError } from '../problem.ts';

export type Rejection = { index: number; at: string; errors: FieldError[] };

/** Everything needed to render an answer, as plain data. */
export interface RenderSpec {
  /** batch: /v1/alerts/{source} (202 or 422); single: /v1/alerts (202 or 400). */
  style: 'batch' | 'single';
  /** Payload positions of the accepted items, in the order they were ingested. */
  indexes: number[];
  rejected: Rejection[];
  /** The source's title, for messages. */
  title: string;
}

export function renderAnswer(spec: RenderSpec, results: IngestResult[]): { status: number; body: unknown } {
  return spec.style === 'single' ? renderSingle(results[0], spec.rejected[0], spec.title) : renderBatch(spec.indexes, results, spec.rejected);
}

function renderBatch(indexes: number[], results: IngestResult[], rejected: Rejection[]): { status: number; body: unknown } {
  const rows: Array<Record<string, unknown>> = [
    ...results.map((r, i) => ({ index: indexes[i] as number, ...r })),
    ...rejected.map((r) => ({ index: r.index, at: r.at, outcome: 'rejected', errors: r.errors })),
  ].sort((a, b) => (a.index as number) - (b.index as number));
  if (results.length === 0) {
    return {
      status: 422,
      body: { type: 'about:blank', title: 'Unprocessable Content', status: 422, detail: describe(rejected), errors: rejected.flatMap((r) => r.errors), results: rows },
    };
  }
  return { status: 202, body: { accepted: results.length, rejected: rejected.length, results: rows } };
}

function renderSingle(result: IngestResult | undefined, rejection: Rejection | undefined, title: string): { status: number; body: unknown } {
  if (!result) {
    const errors = rejection?.errors.map((e) => ({ ...e, path: e.path.replace(/^finding\.?/, '') || 'finding' })) ?? [];
    return {
      status: 400,
      body: { type: 'about:blank', title: 'Bad Request', status: 400, detail: `invalid alert: ${errors.map((e) => `${e.path} ${e.message}`).join('; ') || `not a ${title}`}`, errors },
    };
  }
  return {
    status: 202,
    body: { alertId: result.alertId, caseId: result.caseId, duplicate: result.outcome === 'duplicate', outcome: result.outcome, ...(result.suppressedBy ? { suppressedBy: result.suppressedBy } : {}), ...(result.autoClosed ? { autoClosed: true } : {}) },
  };
}

function describe(rejected: Rejection[]): string {
  const first = rejected[0]?.errors.slice(0, 3).map((e) => `${e.path} ${e.message}`).join('; ') ?? '';
  return `no alert in the payload could be read${first ? `: ${first}` : ''}${rejected.length > 1 ? ` (and ${rejected.length - 1} more)` : ''}`;
}
