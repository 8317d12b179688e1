// POST /v1/alerts — one OCSF Detection Finding (the native format; schema errors are 400), and
// GET /v1/alerts/{alertId} — an alert as stored: counts, first/last seen, case, suppression.
import type { Request, Response } from 'express';
import { acceptAlerts, type IngestDeps } from '../ingest/accept.ts';
import type { RouteSpec } from '../openapi.ts';
import { HttpError } from '../problem.ts';
import { ocsf } from '../sources/ocsf.ts';
import { AlertAccepted, AlertIdParams, OcsfDetectionFinding, Problem, StoredAlertResponse } from '../schemas.ts';

export function alertRoutes(ingest: IngestDeps): RouteSpec[] {
  return [
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
