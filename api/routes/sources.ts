// POST /v1/alerts/{source} — each alert source's own payload, exactly as the source sends it.
import type { RouteSpec } from '../openapi.ts';
import type { IngestDeps } from '../ingest/accept.ts';
import { SOURCES } from '../sources/index.ts';
import { BatchAccepted, Problem } from '../schemas.ts';
import { answer } from './alerts.ts';

export function sourceRoutes(ingest: IngestDeps): RouteSpec[] {
  return SOURCES.map((adapter): RouteSpec => ({
    method: 'post',
    path: `/v1/alerts/${adapter.name}`,
    operationId: `postAlerts_${adapter.name}`,
    summary: adapter.title,
    description:
      `${adapter.title}, exactly as the source sends it (format: ${adapter.docs}). ` +
      (adapter.canSign
        ? `Sign with the \`${adapter.name}\` secret from RIPOSTE_SOURCE_SECRETS (X-Riposte-Signature), or send a \`source\` bearer token.`
        : 'This source cannot sign: send a `source` bearer token.') +
      ' Each item is answered on its own: one that does not fit the format is refused (422 with its path) and the others go through.',
    tags: ['alert sources'],
    roles: ['source'],
    signedBy: adapter.name,
    rawBody: { 'application/json': adapter.schema, ...(adapter.lines ? { 'application/x-ndjson': adapter.schema } : {}) },
    headers: [{ name: 'Idempotency-Key', description: 'Makes a re-sent request return the first answer (kept 24 h)', minLength: 1, maxLength: 255 }],
    responses: {
      202: { description: 'At least one alert committed; results[] answers each item in order', schema: BatchAccepted },
      409: { description: 'The Idempotency-Key was used with a different body', schema: Problem },
      422: { description: `Not a ${adapter.title} payload, or no item in it could be read; errors[] says where`, schema: Problem },
      429: { description: 'Too many alerts wait for dispatch; retry after Retry-After', schema: Problem, headers: { 'Retry-After': 'seconds' } },
    },
    handler: (req, res) => answer(req, res, ingest, 'batch', adapter),
  }));
}
