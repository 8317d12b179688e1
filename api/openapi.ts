// Routes are declared once, as OpenAPI operations with TypeBox (JSON Schema 2020-12) schemas.
// The same declaration serves GET /v1/openapi.json and validates every request, so the
// description and the behaviour cannot drift apart.
import type { TSchema } from '@sinclair/typebox';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { isIP } from 'node:net';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Role } from '../config/index.ts';
import { HttpError, type FieldError } from './problem.ts';

export interface RouteSpec {
  method: 'get' | 'post' | 'put' | 'delete';
  /** OpenAPI path template, e.g. /v1/cases/{caseId}. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  /** Roles allowed to call it; `public` needs no token. */
  roles: Role[] | 'public';
  params?: TSchema;
  query?: TSchema;
  body?: TSchema;
  /**
   * A body the route reads itself from raw bytes (signed webhooks verify the bytes before
   * parsing): documented here, checked by the route. Keys are content types.
   */
  rawBody?: Record<string, TSchema>;
  /** The source whose HMAC secrets may sign this route (X-Riposte-Signature), besides a bearer token. */
  signedBy?: string;
  /** `exempt`: a POST that changes nothing (decoding), so the session cookie needs no CSRF token for it. */
  csrf?: 'exempt';
  /** `always`: every answer goes to the audit trail (a sign-in), not only writes and refusals. */
  audit?: 'always';
  /** Extra request headers worth documenting. */
  headers?: Array<{ name: string; description: string; required?: boolean; minLength?: number; maxLength?: number }>;
  responses: Record<number, { description: string; schema?: TSchema; headers?: Record<string, string> }>;
  handler: (req: Request, res: Response) => Promise<void> | void;
}

type AddFormats = (ajv: Ajv2020) => Ajv2020;
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ?? addFormatsModule) as unknown as AddFormats;

export function createAjv(): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: false, coerceTypes: false });
  addFormats(ajv);
  ajv.addFormat('ip', (v: string) => isIP(v) !== 0);
  return ajv;
}

/** /v1/cases/{caseId} → /v1/cases/:caseId */
export function expressPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ':$1');
}

export function requestValidator(ajv: Ajv2020, spec: RouteSpec): RequestHandler {
  const checks: Array<[keyof Request & ('params' | 'query' | 'body'), ValidateFunction]> = [];
  if (spec.params) checks.push(['params', ajv.compile(spec.params)]);
  if (spec.query) checks.push(['query', ajv.compile(spec.query)]);
  if (spec.body) checks.push(['body', ajv.compile(spec.body)]);
  return (req: Request, _res: Response, next: NextFunction) => {
    for (const [part, validate] of checks) {
      const value = part === 'query' ? { ...req.query } : req[part];
      if (part === 'body' && value === undefined) {
        return next(new HttpError(400, 'the request needs a JSON body (Content-Type: application/json)'));
      }
      if (!validate(value)) {
        const errors = toFieldErrors(part, validate.errors ?? []);
        return next(new HttpError(400, `invalid ${part}: ${errors.slice(0, 3).map((e) => `${e.path} ${e.message}`).join('; ')}`, errors));
      }
    }
    next();
  };
}

export function toFieldErrors(part: string, errors: ErrorObject[]): FieldError[] {
  const root = part === 'body' ? '' : part;
  return errors.slice(0, 20).map((e) => {
    let path = `${root}${e.instancePath.replace(/\/(\d+)/g, '[$1]').replace(/\//g, '.')}` || part;
    let message = e.message ?? 'is invalid';
    if (e.keyword === 'required') {
      path = `${path === part ? (root ? root + '.' : '') : path + '.'}${(e.params as { missingProperty: string }).missingProperty}`.replace(/^\./, '');
      message = 'is required';
    } else if (e.keyword === 'additionalProperties') {
      message = `has unknown property "${(e.params as { additionalProperty: string }).additionalProperty}"`;
    } else if (e.keyword === 'enum' || e.keyword === 'const') {
      const allowed = (e.params as { allowedValues?: unknown[]; allowedValue?: unknown }).allowedValues ?? [(e.params as { allowedValue?: unknown }).allowedValue];
      message = `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`;
    }
    return { path: path.replace(/^\./, '') || part, message };
  });
}

/**
 * The answers every route shares, added so no route can forget them: 400 where there is input to
 * validate, 401/403 where a role is needed, 503 while the store is away. A route's own entry for
 * the same status wins.
 */
export function withCommonResponses(s: RouteSpec, problem: TSchema): RouteSpec['responses'] {
  const common: RouteSpec['responses'] = {};
  if (s.params || s.query || s.body || s.rawBody) common[400] = { description: 'Malformed input; `errors[]` names each field', schema: problem };
  if (s.body) common[415] = { description: 'The body is not JSON', schema: problem };
  if (s.body || s.rawBody) common[413] = { description: 'The body is larger than RIPOSTE_MAX_BODY_BYTES', schema: problem };
  if (s.roles !== 'public') {
    common[401] = {
      description: s.signedBy ? 'No valid signature and no valid bearer token (nothing more is said)' : 'No or unknown bearer token',
      schema: problem,
      headers: { 'WWW-Authenticate': 'Bearer' },
    };
    common[403] = { description: `The token's role is not ${s.roles.join(' or ')}`, schema: problem };
  }
  common[503] = { description: 'The store is unavailable for a moment (the database is restarting or out of reach); nothing was done — retry after Retry-After', schema: problem, headers: { 'Retry-After': 'seconds' } };
  return { ...common, ...s.responses };
}

export function openApiDocument(specs: RouteSpec[], info: { version: string; serverUrl?: string }, problem: TSchema): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const s of specs) {
    const parameters = [
      ...objectParams(s.params, 'path'),
      ...objectParams(s.query, 'query'),
      ...(s.headers ?? []).map((h) => ({ name: h.name, in: 'header', required: h.required ?? false, description: h.description, schema: { type: 'string', ...(h.minLength !== undefined ? { minLength: h.minLength } : {}), ...(h.maxLength !== undefined ? { maxLength: h.maxLength } : {}) } })),
    ];
    const responses: Record<string, unknown> = {};
    for (const [status, r] of Object.entries(withCommonResponses(s, problem))) {
      responses[status] = {
        description: r.description,
        ...(r.headers ? { headers: Object.fromEntries(Object.entries(r.headers).map(([k, d]) => [k, { description: d, schema: { type: 'string' } }])) } : {}),
        ...(r.schema ? { content: { [Number(status) >= 400 ? 'application/problem+json' : 'application/json']: { schema: r.schema } } } : {}),
      };
    }
    (paths[s.path] ??= {})[s.method] = {
      operationId: s.operationId,
      summary: s.summary,
      ...(s.description ? { description: s.description } : {}),
      tags: s.tags,
      security: s.roles === 'public' ? [] : [{ bearer: [] }, ...(s.signedBy ? [{ signature: [] }] : [])],
      ...(s.roles === 'public' ? {} : { 'x-riposte-roles': s.roles }),
      ...(parameters.length ? { parameters } : {}),
      ...(s.body ? { requestBody: { required: true, content: { 'application/json': { schema: s.body } } } } : {}),
      ...(s.rawBody
        ? { requestBody: { required: true, content: Object.fromEntries(Object.entries(s.rawBody).map(([type, schema]) => [type, { schema }])) } }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Riposte API',
      version: info.version,
      description: 'Alert sources post alerts; analysts read cases and decide approvals. Errors are RFC 9457 problem details.',
    },
    ...(info.serverUrl ? { servers: [{ url: info.serverUrl }] } : {}),
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'A token from RIPOSTE_TOKENS (or data/tokens.json). Roles: source, analyst.' },
        signature: {
          type: 'apiKey',
          in: 'header',
          name: 'X-Riposte-Signature',
          description:
            't=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")> with the source\'s secret from RIPOSTE_SOURCE_SECRETS. ' +
            'Timestamps more than 300 s away are refused; an exact replay within that window gets the first answer.',
        },
      },
    },
    paths,
  };
}

function objectParams(schema: TSchema | undefined, where: 'path' | 'query'): unknown[] {
  if (!schema) return [];
  const props = (schema as { properties?: Record<string, TSchema> }).properties ?? {};
  const required = new Set((schema as { required?: string[] }).required ?? []);
  return Object.entries(props).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' ? true : required.has(name),
    ...(s.description ? { description: s.description } : {}),
    schema: s,
  }));
}
