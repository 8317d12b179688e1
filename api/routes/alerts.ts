// POST /v1/alerts — one OCSF Detection Finding (the native format; schema errors are 400),
// GET /v1/alerts — the alerts received in a period, suppressed ones included, narrowed by
// source, severity, suppression, case or text; and GET /v1/alerts/{alertId} — an alert as stored:
// counts, first/last seen, case, suppression.
import { Type } from '@sinclair/typebox';
import type { Request, Response } from 'express';
import type { StoredAlert } from '../../store/types.ts';
import { acceptAlerts, type IngestDeps } from '../ingest/accept.ts';
import type { RouteSpec } from '../openapi.ts';
import { instant } from '../instant.ts';
import { HttpError } from '../problem.ts';
import { ocsf } from '../sources/ocsf.ts';
import { AlertAccepted, AlertIdParams, OcsfDetectionFinding, Problem, StoredAlertResponse } from '../schemas.ts';

/** Alerts one search looks at, newest first: past it, the answer says `capped` (narrow the period). */
const SCAN_MAX = 20_000;
const DAY_MS = 86_400_000;

export const AlertListQuery = Type.Object({
  since: Type.Optional(Type.String({ format: 'date-time', description: 'Received at or after (default: 7 days before until)' })),
  until: Type.Optional(Type.String({ format: 'date-time', description: 'Received before (default: now)' })),
  source: Type.Optional(Type.String({ pattern: '^[a-z0-9-]{1,40}$', description: 'The alert source (ocsf, guardduty …)' })),
  severity: Type.Optional(Type.String({ pattern: '^[0-6]$', description: 'The least severity_id' })),
  suppressed: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')], { description: 'Only suppressed alerts, or only the others' })),
  suppressedBy: Type.Optional(Type.String({ pattern: '^(sup|cfg)-[0-9a-f]{8,12}$', description: 'Only the alerts this suppression rule held back' })),
  caseId: Type.Optional(Type.String({ pattern: '^cs_[0-9a-f]{16}$' })),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Free text in the title, the detection rule, an observable, the id or the source\u2019s id' })),
  limit: Type.Optional(Type.String({ pattern: '^([1-9][0-9]?|[1-4][0-9]{2}|500)$', description: '1–500, default 100' })),
});

const { raw: _raw, rawTruncated: _rawTruncated, ...listed } = StoredAlertResponse.properties;
export const AlertListResponse = Type.Object({
  since: Type.String(),
  until: Type.String(),
  alerts: Type.Array(Type.Object(listed), { description: 'Newest first; without their raw payloads (GET /v1/alerts/{alertId} has them)' }),
  more: Type.Boolean({ description: 'More alerts match than `limit`' }),
  scanned: Type.Integer({ description: 'Alerts of the period looked at' }),
  capped: Type.Boolean({ description: `The period holds more than ${SCAN_MAX.toLocaleString('en')} alerts: only the newest were looked at; narrow it` }),
});

type ListQuery = { since?: string; until?: string; source?: string; severity?: string; suppressed?: 'true' | 'false'; suppressedBy?: string; caseId?: string; q?: string; limit?: string };

/** Whether an alert is one the query asks for. */
function matches(a: StoredAlert, q: ListQuery, until: string): boolean {
  if (a.receivedAt >= until) return false;
  if (q.source && a.source !== q.source) return false;
  if (q.severity && a.severity_id < Number(q.severity)) return false;
  if (q.suppressed && (a.suppressedBy !== null) !== (q.suppressed === 'true')) return false;
  if (q.suppressedBy && a.suppressedBy !== q.suppressedBy) return false;
  if (q.caseId && a.caseId !== q.caseId) return false;
  if (q.q) {
    const text = q.q.toLowerCase();
    const fields = [a.title, a.rule?.name, a.rule?.uid, a.id, a.sourceUid, ...a.observables.map((o) => o.value)];
    if (!fields.some((f) => f?.toLowerCase().includes(text))) return false;
  }
  return true;
}

export async function listAlerts(ingest: Pick<IngestDeps, 'store'>, q: ListQuery) {
  const until = instant(q.until ?? Date.now(), 'until');
  const since = instant(q.since ?? Date.parse(until) - 7 * DAY_MS, 'since');
  if (since >= until) throw new HttpError(422, 'since must be before until');
  const limit = Number(q.limit ?? 100);
  const scanned = await ingest.store.alertsSince(since, SCAN_MAX);
  const found = scanned.filter((a) => matches(a, q, until));
  const alerts = found.slice(0, limit).map(({ fingerprint: _fp, rule, ...rest }) => ({ ...rest, rule: rule ?? null }));
  return { since, until, alerts, more: found.length > limit, scanned: scanned.length, capped: scanned.length >= SCAN_MAX };
}

export function alertRoutes(ingest: IngestDeps): RouteSpec[] {
  return [
    {
      method: 'get',
      path: '/v1/alerts',
      operationId: 'listAlerts',
      summary: 'Search the alerts received in a period, suppressed ones included (with the rule that held each back)',
      description: `Newest first. Looks at the newest ${SCAN_MAX.toLocaleString('en')} alerts of the period at most (\`capped\` says when there were more).`,
      tags: ['alerts'],
      roles: ['viewer'],
      query: AlertListQuery,
      responses: {
        200: { description: 'The alerts that match', schema: AlertListResponse },
        422: { description: 'since is not before until', schema: Problem },
      },
      handler: async (req, res) => void res.json(await listAlerts(ingest, req.query as ListQuery)),
    },
    {
      method: 'post',
      path: '/v1/alerts',
      operationId: 'postAlert',
      summary: 'Post an alert (OCSF Detection Finding)',
      description:
        'Accepts one OCSF Detection Finding (class_uid 2004), commits it to the alert store, and answers once it is committed. ' +
        'Re-sending the same finding_info.uid (or the same Idempotency-Key) answers with the first answer and starts nothing new. ' +
        'Sign with the `ocsf` secret (X-Riposte-Signature) or send a `source` bearer token.',
      tags: ['alerts'],
      roles: ['source'],
      signedBy: 'ocsf',
      rawBody: { 'application/json': OcsfDetectionFinding },
      headers: [{ name: 'Idempotency-Key', description: 'Makes a re-sent request return the first answer (kept 24 h)', minLength: 1, maxLength: 255 }],
      responses: {
        202: { description: 'Committed; its case will run the playbooks its alerts call for', schema: AlertAccepted },
        409: { description: 'The Idempotency-Key was used with a different body', schema: Problem },
        429: { description: 'Too many alerts wait for dispatch; retry after Retry-After', schema: Problem, headers: { 'Retry-After': 'seconds' } },
      },
      handler: (req, res) => answer(req, res, ingest, 'single'),
    },
    {
      method: 'get',
      path: '/v1/alerts/{alertId}',
      operationId: 'getAlert',
      summary: 'Read a stored alert',
      tags: ['alerts'],
      roles: ['viewer'],
      params: AlertIdParams,
      responses: {
        200: { description: 'The alert, normalized, with its raw payload', schema: StoredAlertResponse },
        404: { description: 'No such alert', schema: Problem },
      },
      handler: async (req, res) => {
        const alert = await ingest.store.getAlert(req.params.alertId as string);
        if (!alert) throw new HttpError(404, `no alert ${req.params.alertId}`);
        const { fingerprint: _fp, raw, rawTruncated, rule, ...rest } = alert;
        res.json({ ...rest, rule: rule ?? null, ...(raw !== undefined ? { raw: rawTruncated ? raw : JSON.parse(raw), rawTruncated } : {}) });
      },
    },
  ];
}

/** Runs the front door for a raw-body route and writes its answer. */
export async function answer(req: Request, res: Response, ingest: IngestDeps, style: 'single' | 'batch', adapter = ocsf): Promise<void> {
  const key = req.get('idempotency-key');
  if (key !== undefined && (key.length === 0 || key.length > 255)) throw new HttpError(400, 'Idempotency-Key must be 1–255 characters');
  const out = await acceptAlerts(ingest, adapter, { body: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0), idempotencyKey: key }, style);
  if (out.headers) res.set(out.headers);
  // A refusal is problem details (its content type comes with the answer); an acceptance, JSON.
  if (!res.get('content-type')) res.type('application/json');
  res.status(out.status).send(JSON.stringify(out.body));
}
