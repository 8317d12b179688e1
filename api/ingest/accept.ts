// The front door: a request's bytes → items → native alerts → one committed transaction →
// the answer. Nothing is acknowledged before it is committed; a bad item is refused on its own;
// a re-sent request (Idempotency-Key, or the same signature) gets its first answer back.
import type { ApiMetrics } from '../../telemetry/metrics.ts';
import { createHash } from 'node:crypto';
import { context, propagation, SpanStatusCode, trace } from '@opentelemetry/api';
import { ALERT_LIMITS, type Observable } from '../../core/alert.ts';
import { tracer } from '../../telemetry/index.ts';
import type { IngestConfig } from '../../config/index.ts';
import type { AlertStore, IngestItem } from '../../store/types.ts';
import type { FieldError } from '../problem.ts';
import type { SourceAdapter } from '../sources/types.ts';
import { FormatError, type Normalized } from '../sources/types.ts';
import { alertIdFor } from '../../domain/entities.ts';
import { renderAnswer, type Rejection, type RenderSpec } from './render.ts';
import type { SuppressionRules } from './rules.ts';
import type { Triage } from '../triage.ts';

export const MAX_ITEMS_PER_REQUEST = 1000;

export interface IngestDeps {
  store: AlertStore;
  rules: SuppressionRules;
  config: IngestConfig;
  /** Called after a commit that queued alerts for these cases. */
  onQueued(caseIds: string[]): void;
  /** Prometheus: alerts in by source and outcome, suppression hits. */
  metrics?: Pick<ApiMetrics, 'ingested' | 'suppressed'>;
  /** The triage learner: judges each alert before it is committed, and counts the new ones. */
  triage?: Triage;
}

export interface AcceptRequest {
  body: Buffer;
  /** Idempotency-Key header, when sent. */
  idempotencyKey?: string;
}

export interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}


/** How the two front doors answer: /v1/alerts/{source} (batch, 422) and /v1/alerts (one OCSF finding, 400). */
export type AnswerStyle = 'batch' | 'single';

export function acceptAlerts(deps: IngestDeps, adapter: SourceAdapter, req: AcceptRequest, style: AnswerStyle): Promise<Answer> {
  return tracer.startActiveSpan('ingest alert', { attributes: { 'riposte.source': adapter.name } }, async (span) => {
    try {
      const answer = await accept(deps, adapter, req, style);
      span.setAttribute('http.response.status_code', answer.status);
      return answer;
    } catch (err) {
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw err;
    } finally {
      span.end();
    }
  });
}

async function accept(deps: IngestDeps, adapter: SourceAdapter, req: AcceptRequest, style: AnswerStyle): Promise<Answer> {
  // A replayed signed request needs no key of its own: its items carry their source ids, so the
  // replay is answered as a duplicate and changes nothing.
  // Keyed by front door as well: /v1/alerts and /v1/alerts/ocsf read the same format but answer
  // in different shapes, so a key used on one is not the other's answer.
  const door = style === 'single' ? adapter.name : `${adapter.name}:batch`;
  const keys = req.idempotencyKey ? [`idem:${door}:${req.idempotencyKey}`] : [];
  const bodySha = keys.length ? createHash('sha256').update(req.body).digest('hex') : '';
  for (const key of keys) {
    const seen = await deps.store.findRequest(key);
    if (!seen) continue;
    if (seen.bodySha !== bodySha) return problem(409, 'this Idempotency-Key was used before with a different body');
    const again = 'results' in seen ? renderAnswer(seen.context as RenderSpec, seen.results) : seen;
    return { status: again.status, body: again.body, headers: { 'Idempotent-Replayed': 'true', ...(again.status >= 400 ? { 'Content-Type': 'application/problem+json' } : {}) } };
  }

  if (deps.store.backlog() >= deps.config.maxBacklog) {
    return problem(429, `Riposte is behind: ${deps.store.backlog()} alerts wait for dispatch; retry shortly`, { 'Retry-After': '5' });
  }

  const read = readPayload(adapter, req.body.toString('utf8'), style);
  if ('problem' in read) return read.problem;
  const accepted: Array<{ index: number; item: IngestItem }> = [];
  const rejected: Rejection[] = [];
  for (const r of read.items) {
    if ('errors' in r) {
      rejected.push(r);
      continue;
    }
    const { alert, occurrences, status } = r.normalized;
    accepted.push({
      index: r.index,
      item: {
        alert: { ...alert, id: alertIdFor(adapter.name, alert.sourceUid), source: adapter.name },
        ...boundedRaw(r.value, deps.config.rawMaxBytes),
        ...(occurrences !== undefined ? { occurrences } : {}),
        ...(status ? { status } : {}),
      },
    });
  }

  const now = new Date();
  const items = accepted.map((a) => a.item);
  const judged = deps.triage?.judge(items, now);
  const render: RenderSpec = { style, indexes: accepted.map((a) => a.index), rejected, title: adapter.title };
  const { results } = await deps.store.ingest(
    items,
    { now, dedupWindowMs: deps.config.dedupWindowMs, correlationWindowMs: deps.config.correlationWindowMs, traceparent: currentTraceparent() },
    keys.length ? { keys, bodySha, context: render } : undefined
  );
  deps.rules.countHits(results, now);
  if (judged) await deps.triage?.ingested(items, judged, results, now);
  if (deps.metrics) {
    for (const r of results) {
      deps.metrics.ingested.inc({ source: adapter.name, outcome: r.outcome });
      if (r.suppressedBy) deps.metrics.suppressed.inc({ rule: r.suppressedBy });
    }
    if (rejected.length) deps.metrics.ingested.inc({ source: adapter.name, outcome: 'rejected' }, rejected.length);
  }
  const queued = results.filter((r) => r.caseId && (r.outcome === 'new' || r.outcome === 'updated')).map((r) => r.caseId as string);
  if (queued.length) deps.onQueued(queued);
  const answer = renderAnswer(render, results);
  return { status: answer.status, body: answer.body, ...(answer.status >= 400 ? { headers: { 'Content-Type': 'application/problem+json' } } : {}) };
}

export type ReadItem = { index: number; at: string; value: unknown; normalized: Normalized } | Rejection;

/**
 * A payload's text → its items, each normalized or refused with the paths of what is wrong.
 * A payload whose envelope does not fit at all is refused whole (`problem`).
 */
export function readPayload(adapter: SourceAdapter, text: string, style: AnswerStyle = 'batch'): { items: ReadItem[] } | { problem: Answer } {
  let parsed: unknown;
  try {
    parsed = text.trim() === '' ? undefined : JSON.parse(text);
  } catch (err) {
    // Line formats (Suricata, Wazuh, Falco) read NDJSON from the raw text instead.
    if (!adapter.lines || !text.trim().includes('\n')) return { problem: problem(400, `malformed JSON: ${(err as Error).message}`) };
  }
  if (parsed === undefined && !(adapter.lines && text.trim() !== '')) return { problem: problem(400, 'the request needs a JSON body') };

  let items;
  try {
    items = adapter.items(parsed, text);
  } catch (err) {
    if (err instanceof FormatError) return { problem: problem(style === 'single' ? 400 : 422, `not a ${adapter.title} payload: ${err.message}`, undefined, err.errors) };
    throw err;
  }
  if (items.length === 0) return { problem: problem(style === 'single' ? 400 : 422, 'the payload holds no alerts') };
  if (items.length > MAX_ITEMS_PER_REQUEST) return { problem: problem(413, `at most ${MAX_ITEMS_PER_REQUEST} alerts per request (got ${items.length})`) };

  return {
    items: items.map((it, index): ReadItem => {
      if (it.error) return { index, at: it.at, errors: [{ path: it.at, message: it.error }] };
      try {
        return { index, at: it.at, value: it.value, normalized: boundedAlert(adapter.normalize(it.value), index) };
      } catch (err) {
        if (!(err instanceof FormatError)) throw err;
        return { index, at: it.at, errors: err.errors.map((e) => ({ path: e.path ? `${it.at}.${e.path}` : it.at, message: e.message })) };
      }
    }),
  };
}

/**
 * Holds an adapter's alert to ALERT_LIMITS, the same for every source, so no adapter has to
 * remember to: text is cut with a trailing "…", observables beyond the cap are dropped (those
 * with a role first kept, as the ones playbooks act on), and over-long ids are shortened safely.
 *
 * An id (sourceUid; rule.uid, held to the rule-name limit) longer than its limit is NOT refused and NOT simply cut: cutting
 * could make two different findings one alert, and refusing would lose an alert the source cannot
 * fix — vendors choose their ids (several are composites: Security Hub's ProductArn/Id, Suricata's
 * flow/tx/rule/time), so a sender would re-send it forever or drop it, and there is often no single
 * field to name in a 422. It keeps its head, readable and searchable in the source's console, and
 * ends with the SHA-256 of the whole id: distinct ids stay distinct, and a re-sent finding maps to
 * the same id, so duplicates and updates still match.
 *
 * How many observables were dropped is recorded on the ingest span (the alert itself has no field
 * for it; the raw payload keeps them, within RIPOSTE_RAW_MAX_BYTES).
 */
export function boundedAlert(n: Normalized, index = 0): Normalized {
  const a = n.alert;
  const cut: string[] = [];
  const text = (field: string, v: string, max: number) => {
    const out = cutText(v, max);
    if (out !== v) cut.push(field);
    return out;
  };
  const id = (field: string, v: string, max: number) => {
    const out = boundId(v, max);
    if (out !== v) cut.push(field);
    return out;
  };
  const { kept, dropped } = boundObservables(a.observables);
  const alert: Normalized['alert'] = {
    ...a,
    sourceUid: id('sourceUid', a.sourceUid, ALERT_LIMITS.sourceUid),
    title: text('title', a.title, ALERT_LIMITS.title),
    ...(a.rule
      ? { rule: { name: text('rule.name', a.rule.name, ALERT_LIMITS.ruleName), ...(a.rule.uid !== undefined ? { uid: id('rule.uid', a.rule.uid, ALERT_LIMITS.ruleName) } : {}) } }
      : {}),
    observables: kept,
    // Names and ids of a cloud identity are short in every real finding; bound them like any value.
    ...(a.cloud ? { cloud: mapStrings(a.cloud, (v) => cutText(v, ALERT_LIMITS.observableValue)) } : {}),
    ...(a.principal ? { principal: mapStrings(a.principal, (v) => cutText(v, ALERT_LIMITS.observableValue)) } : {}),
  };
  if (dropped > 0 || cut.length > 0) {
    trace.getActiveSpan()?.addEvent('alert bounded', {
      'riposte.item.index': index,
      'riposte.alert.observables_dropped': dropped,
      'riposte.alert.fields_cut': cut.join(','),
    });
  }
  return { ...n, alert };
}

/** `max` characters at most, the last being "…" when cut. */
export function cutText(v: string, max: number): string {
  return v.length <= max ? v : `${head(v, max - 1)}…`;
}

/** An id of at most `max` characters: itself, or its head + "…sha256:" + the digest of the whole id. */
export function boundId(v: string, max: number): string {
  if (v.length <= max) return v;
  const tail = `…sha256:${createHash('sha256').update(v).digest('hex')}`;
  return `${head(v, max - tail.length)}${tail}`;
}

/** The first `n` UTF-16 units of `v`, one fewer rather than half a surrogate pair. */
function head(v: string, n: number): string {
  const last = v.charCodeAt(n - 1);
  return v.slice(0, last >= 0xd800 && last <= 0xdbff ? n - 1 : n);
}

/**
 * Values cut to ALERT_LIMITS.observableValue (then de-duplicated again); beyond
 * ALERT_LIMITS.observables, those with a role are kept before those without, each in the order
 * the adapter gave them, and the kept ones stay in that order.
 */
export function boundObservables(observables: Observable[]): { kept: Observable[]; dropped: number } {
  const seen = new Set<string>();
  const all: Observable[] = [];
  for (const o of observables) {
    const value = cutText(o.value, ALERT_LIMITS.observableValue);
    const key = `${o.type}\n${o.role ?? ''}\n${value}`;
    if (seen.has(key)) continue;
    seen.add(key);
    all.push(value === o.value ? o : { ...o, value });
  }
  if (all.length <= ALERT_LIMITS.observables) return { kept: all, dropped: observables.length - all.length };
  const roled = all.filter((o) => o.role !== undefined);
  const keep = new Set([...roled, ...all.filter((o) => o.role === undefined)].slice(0, ALERT_LIMITS.observables));
  return { kept: all.filter((o) => keep.has(o)), dropped: observables.length - keep.size };
}

function mapStrings<T extends object>(obj: T, f: (v: string) => string): T {
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, typeof v === 'string' ? f(v) : v])) as T;
}

function boundedRaw(value: unknown, max: number): { raw: string; rawTruncated: boolean } {
  const raw = JSON.stringify(value) ?? '';
  return raw.length > max ? { raw: raw.slice(0, max), rawTruncated: true } : { raw, rawTruncated: false };
}

function problem(status: number, detail: string, headers?: Record<string, string>, errors?: FieldError[]): Answer {
  const titles: Record<number, string> = { 400: 'Bad Request', 409: 'Conflict', 413: 'Content Too Large', 422: 'Unprocessable Content', 429: 'Too Many Requests' };
  return {
    status,
    body: { type: 'about:blank', title: titles[status] ?? 'Error', status, detail, ...(errors?.length ? { errors } : {}) },
    headers: { 'Content-Type': 'application/problem+json', ...headers },
  };
}

function currentTraceparent(): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}
