// createApp builds the HTTP API and does not listen: the server entry and tests both use it.
import { Type } from '@sinclair/typebox';
import type { Client } from '@temporalio/client';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rateLimit } from 'express-rate-limit';
import helmet from 'helmet';
import type { Secret, TokenEntry } from '../config/index.ts';
import type { Logger } from '../telemetry/logger.ts';
import { authenticator } from './auth/bearer.ts';
import { SOURCE_UNAUTHORIZED, sourceAuthAfter, sourceAuthBefore } from './auth/source.ts';
import cors from 'cors';
import { match } from 'path-to-regexp';
import { CaseService, type CaseStart } from './cases.ts';
import { PlaybookCatalog } from './playbooks.ts';
import { playbookRoutes } from './routes/playbooks.ts';
import { huntRoutes } from './routes/hunts.ts';
import type { IndicatorStore } from '../store/indicators.ts';
import type { CaseRecordStore } from '../store/case-record.ts';
import type { AuditLog } from '../store/audit.ts';
import type { UserStore } from '../store/users.ts';
import type { ApiMetrics } from '../telemetry/metrics.ts';
import type { SlaPolicy } from '../core/sla.ts';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { auditRoutes } from './routes/audit.ts';
import { userRoutes } from './routes/users.ts';
import { authRoutes } from './routes/auth.ts';
import type { OidcSignIn } from './auth/oidc.ts';
import { metricsRoutes } from './routes/metrics.ts';
import type { IngestDeps } from './ingest/accept.ts';
import { createAjv, expressPath, openApiDocument, requestValidator, type RouteSpec } from './openapi.ts';
import { HttpError, sendProblem } from './problem.ts';
import { alertRoutes } from './routes/alerts.ts';
import { eventRoutes } from './routes/events.ts';
import type { CaseEvents } from './case-events.ts';
import { caseRoutes } from './routes/cases.ts';
import { integrationRoutes } from './routes/integrations.ts';
import { slackRoutes, type SlackInteractionSettings } from './routes/slack.ts';
import type { IntegrationView } from './integrations.ts';
import { sourceRoutes } from './routes/sources.ts';
import { suppressionRoutes } from './routes/suppressions.ts';
import { Problem } from './schemas.ts';
import { storeUnavailable } from '../store/unavailable.ts';
import { SOURCE_NAMES } from './sources/index.ts';

export interface AppDeps {
  client: Client;
  /** The workers' main task queue (catalog, dry runs, undo). */
  taskQueue: string;
  /** The case record (data/cases.db): what playbooks and people did in each case. */
  record: CaseRecordStore;
  /** People with personal tokens (data/users.db); without it, only configured tokens work. */
  users?: UserStore;
  /** Single sign-on for people (RIPOSTE_OIDC_ISSUER …); needs `users` for its sessions. */
  oidc?: OidcSignIn;
  /** The hash-chained audit trail (data/audit.db): every authenticated write and every refused attempt. */
  audit?: AuditLog;
  /** Analysts' indicators and the IOC sweeps' record (data/indicators.db). */
  indicators: IndicatorStore;
  tokens: TokenEntry[];
  logger: Logger;
  ingest: IngestDeps;
  /** Counters of the dispatcher to Temporal, shown by /v1/health. */
  dispatchStats?: () => { signals: number; alerts: number; errors: number };
  /** The integration catalog with configuration and health (GET /v1/integrations). */
  integrations: () => Promise<IntegrationView[]>;
  /** Approve / Reject buttons in Slack (SLACK_SIGNING_SECRET, SLACK_APPROVERS). */
  slack?: SlackInteractionSettings;
  maxBodyBytes: number;
  /** Service levels per severity (RIPOSTE_SLA; default DEFAULT_SLA). */
  sla?: SlaPolicy;
  /** How case workflows start (the dispatcher's options): re-runs start one when the case's has ended. */
  caseStart?: CaseStart;
  /** Opens sealed workflow payloads for POST /v1/codec/decode (RIPOSTE_PAYLOAD_KEYS). */
  codec?: PayloadCodec;
  /** Web origins (the Temporal UI's) allowed to call the codec endpoint from a browser, with credentials. */
  codecOrigins?: string[];
  /** Prometheus metrics served at GET /metrics (viewer role). */
  metrics?: ApiMetrics;
  /** Requests per minute each person or token may make to the analyst API (alert ingest has its own backpressure); 0 or unset: no limit. */
  rateLimitPerMinute?: number;
  /** Which cases changed, for GET /v1/events (the console's live updates). */
  caseEvents?: CaseEvents;
  /** The built console (console/dist, `npm run build:console`), served at `/`; default that folder. */
  consoleDir?: string;
  version: string;
}

export const CONSOLE_DIR = fileURLToPath(new URL('../console/dist', import.meta.url));
/** The console's pages load only their own script, style and data; nothing frames them. */
const CONSOLE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

export function routeSpecs(deps: AppDeps): RouteSpec[] {
  const playbooks = new PlaybookCatalog({ client: deps.client, taskQueue: deps.taskQueue });
  const cases = new CaseService({ client: deps.client, store: deps.ingest.store, record: deps.record, rules: deps.ingest.rules, taskQueue: deps.taskQueue, ...(deps.sla ? { sla: deps.sla } : {}), ...(deps.caseStart ? { caseStart: deps.caseStart } : {}), ...(deps.ingest.triage ? { triage: deps.ingest.triage } : {}), onQueued: deps.ingest.onQueued });
  const meta: RouteSpec[] = [
    {
      method: 'get',
      path: '/v1/health',
      operationId: 'getHealth',
      summary: 'Liveness; alerts waiting for dispatch to Temporal; what the dispatcher has sent',
      tags: ['meta'],
      roles: 'public',
      responses: {
        200: {
          description: 'Up',
          schema: Type.Object({
            status: Type.Literal('ok'),
            backlog: Type.Integer({ description: 'Alerts committed but not yet delivered to their case' }),
            dispatched: Type.Optional(Type.Object({ signals: Type.Integer(), alerts: Type.Integer(), errors: Type.Integer() })),
          }),
        },
      },
      handler: (_req, res) => void res.json({ status: 'ok', backlog: deps.ingest.store.backlog(), ...(deps.dispatchStats ? { dispatched: deps.dispatchStats() } : {}) }),
    },
    {
      method: 'get',
      path: '/v1/openapi.json',
      operationId: 'getOpenApi',
      summary: 'This API, described as OpenAPI 3.1',
      tags: ['meta'],
      roles: 'public',
      responses: { 200: { description: 'The OpenAPI document' } },
      handler: (_req, res) => void res.json(document),
    },
  ];
  const specs = [
    ...meta,
    ...alertRoutes(deps.ingest),
    ...sourceRoutes(deps.ingest),
    ...caseRoutes({ cases, store: deps.ingest.store, logger: deps.logger }),
    ...playbookRoutes({ playbooks, logger: deps.logger }),
    ...huntRoutes({ indicators: deps.indicators, client: deps.client, logger: deps.logger }),
    ...suppressionRoutes(deps.ingest.rules, deps.ingest.store, deps.ingest.triage),
    ...integrationRoutes(deps.integrations),
    ...slackRoutes({ cases, slack: deps.slack ?? { approvers: [] }, logger: deps.logger }),
    ...metricsRoutes({ store: deps.ingest.store, record: deps.record, cases }),
    ...(deps.users ? userRoutes(deps.users) : []),
    ...authRoutes({ ...(deps.users ? { users: deps.users } : {}), ...(deps.oidc ? { oidc: deps.oidc } : {}) }),
    ...(deps.audit ? auditRoutes(deps.audit) : []),
    ...(deps.metrics ? [prometheusRoute(deps.metrics)] : []),
    ...(deps.codec ? [codecRoute(deps.codec)] : []),
    ...(deps.caseEvents ? eventRoutes(deps.caseEvents) : []),
  ];
  const document = openApiDocument(specs, { version: deps.version }, Problem);
  return specs;
}

export function createApp(deps: AppDeps): express.Express {
  const unknown = Object.keys(deps.ingest.config.sourceSecrets).filter((s) => !SOURCE_NAMES.includes(s));
  if (unknown.length) throw new Error(`RIPOSTE_SOURCE_SECRETS names unknown sources: ${unknown.join(', ')} (known: ${SOURCE_NAMES.join(', ')})`);

  const app = express();
  app.disable('x-powered-by');
  // An API and one printable report page: nothing to load from anywhere, no framing.
  app.use(helmet({ contentSecurityPolicy: { useDefaults: false, directives: { 'default-src': ["'none'"], 'style-src': ["'unsafe-inline'"], 'frame-ancestors': ["'none'"] } } }));
  const limiter = deps.rateLimitPerMinute
    ? rateLimit({
        windowMs: 60_000,
        limit: deps.rateLimitPerMinute,
        standardHeaders: 'draft-7',
        legacyHeaders: false,
        keyGenerator: (req) => req.principal?.name ?? req.socket.remoteAddress ?? 'unknown',
        handler: (req, _res, next) => {
          const reset = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
          const wait = reset ? Math.max(1, Math.ceil((reset.getTime() - Date.now()) / 1000)) : 60;
          next(new HttpError(429, `more than ${deps.rateLimitPerMinute} requests a minute from ${req.principal?.name ?? 'this client'}; retry in ${wait} s`, undefined, { 'Retry-After': String(wait) }));
        },
      })
    : undefined;
  app.set('trust proxy', false);
  // The Temporal UI decodes sealed histories from the browser: CORS for its origin, with the
  // analyst's session cookie (the UI's "include cross-origin credentials").
  if (deps.codec && deps.codecOrigins?.length) {
    app.use('/v1/codec', cors({ origin: deps.codecOrigins, credentials: true, methods: ['POST'], allowedHeaders: ['authorization', 'content-type', 'x-namespace'], maxAge: 600 }));
  }
  const ajv = createAjv();
  const auth = authenticator(deps.tokens, deps.users);
  const json = express.json({ limit: deps.maxBodyBytes, type: () => true, strict: true });
  const raw = express.raw({ limit: deps.maxBodyBytes, type: () => true });

  const specs = routeSpecs(deps);
  // A literal path wins over a template that would also match it (/v1/cases/verdicts is not a
  // case id, /v1/alerts/guardduty not an alert id): a template's routes step aside for it.
  const literal = new Set(specs.map((s) => expressPath(s.path)).filter((p) => !p.includes(':')));
  const notLiteral: RequestHandler = (req, _res, next) => (literal.has(req.path) ? next('route') : next());
  for (const spec of specs) {
    const handlers: RequestHandler[] = [];
    if (expressPath(spec.path).includes(':')) handlers.push(notLiteral);
    if (deps.audit) handlers.push(audited(spec, deps.audit, deps.logger));
    if (spec.signedBy) {
      const secrets: Secret[] = deps.ingest.config.sourceSecrets[spec.signedBy] ?? [];
      handlers.push(sourceAuthBefore(auth(spec.roles, SOURCE_UNAUTHORIZED)), requireJsonText, raw, sourceAuthAfter(spec.signedBy, secrets, deps.logger));
    } else {
      handlers.push(auth(spec.roles, undefined, { csrfExempt: spec.csrf === 'exempt' }));
      // Alert sources have the backlog's 429 instead; people and tools are limited per client.
      if (limiter && spec.roles !== 'public' && !spec.roles.includes('source')) handlers.push(limiter);
      if (spec.rawBody) handlers.push(raw);
      if (spec.body) handlers.push(requireJson, json);
    }
    handlers.push(requestValidator(ajv, spec));
    app[spec.method](expressPath(spec.path), ...handlers, async (req: Request, res: Response) => spec.handler(req, res));
  }

  serveConsole(app, deps.consoleDir ?? CONSOLE_DIR);

  // A path the API has, asked with a method it does not take: 405 and what it does take.
  const paths = new Map<string, { matches: (p: string) => unknown; methods: Set<string> }>();
  for (const spec of specs) {
    const p = expressPath(spec.path);
    const entry = paths.get(p) ?? { matches: match(p), methods: new Set<string>() };
    entry.methods.add(spec.method.toUpperCase());
    if (spec.method === 'get') entry.methods.add('HEAD');
    paths.set(p, entry);
  }
  app.use((req: Request, _res: Response, next: NextFunction) => {
    const matching = literal.has(req.path) ? [paths.get(req.path)] : [...paths.values()].filter((e) => e.matches(req.path));
    const allowed = matching.flatMap((e) => [...(e?.methods ?? [])]);
    if (allowed.length > 0) return next(new HttpError(405, `${req.method} is not allowed on ${req.path}; it takes ${[...new Set(allowed)].join(', ')}`, undefined, { Allow: [...new Set(allowed)].join(', ') }));
    next(new HttpError(404, `no route ${req.method} ${req.path}`));
  });
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof HttpError) return sendProblem(res, err.status, err.message, err.errors, err.headers);
    const e = err as { type?: string; status?: number; message?: string };
    if (e.type === 'entity.too.large') return sendProblem(res, 413, `the body is larger than the ${deps.maxBodyBytes}-byte limit`);
    if (e.type === 'entity.parse.failed') return sendProblem(res, 400, `malformed JSON: ${e.message ?? 'parse error'}`);
    if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported') return sendProblem(res, 415, e.message ?? 'unsupported encoding');
    if (e.type === 'request.aborted') return;
    if (storeUnavailable(err)) {
      // The database is restarting or out of reach: nothing was done, and the sender may try again.
      deps.logger.warn({ err: String(err), method: req.method, path: req.path }, 'the store is unavailable; answered 503');
      return sendProblem(res, 503, 'the store is unavailable for a moment (restarting or out of reach); nothing was done — send the request again', undefined, { 'Retry-After': '2' });
    }
    deps.logger.error({ err, method: req.method, path: req.path }, 'request failed');
    sendProblem(res, 500, 'internal error; the request was not completed (see the server log)');
  });
  return app;
}

/**
 * The analyst console: its page at `/` and its bundle under `/console/`, static files the project
 * builds (`npm run build:console`; `npm start` builds it when missing). The page signs in through
 * the API like any client; it holds no data of its own.
 */
function serveConsole(app: express.Express, dir: string): void {
  const page = path.join(dir, 'index.html');
  const headers = (res: Response) => res.set({ 'Content-Security-Policy': CONSOLE_CSP, 'Cache-Control': 'no-cache' });
  app.get('/', (_req, res) => {
    if (!fs.existsSync(page)) return sendProblem(res, 503, 'the console is not built: run `npm run build:console` (npm start builds it when missing)');
    headers(res);
    res.sendFile(page);
  });
  app.use('/console', express.static(dir, { index: false, fallthrough: true, setHeaders: (res) => headers(res as unknown as Response) }));
}

/** Webhook bodies: JSON or NDJSON; many senders label NDJSON text/plain, some send no type. */
function requireJsonText(req: Request, _res: Response, next: NextFunction): void {
  if (req.get('content-type') && !req.is(['application/json', 'application/*+json', 'application/x-ndjson', 'application/jsonl', 'text/plain'])) {
    return next(new HttpError(415, 'the body must be JSON or NDJSON: send Content-Type: application/json (or application/x-ndjson)'));
  }
  next();
}

function requireJson(req: Request, _res: Response, next: NextFunction): void {
  if (!req.is('application/json') && !req.is('application/*+json')) {
    return next(new HttpError(415, 'the body must be JSON: send Content-Type: application/json'));
  }
  next();
}

/**
 * Writes the request to the audit trail as it is answered — before the answer leaves, so whoever
 * sees the outcome of a write can find its entry, and a crash cannot answer without recording:
 * every write by a person (or a token), every refused attempt (401, 403, 409) on any route.
 * Alerts accepted from sources are not entries here: the alert store is their record (each with
 * its source and when it arrived).
 */
function audited(spec: RouteSpec, audit: AuditLog, logger: Logger): RequestHandler {
  const write = spec.method !== 'get' || spec.audit === 'always';
  const ingest = Boolean(spec.signedBy) || (Array.isArray(spec.roles) && spec.roles.includes('source'));
  return (req: Request, res: Response, next: NextFunction) => {
    // Read now: once an error leaves the route, Express resets req.params.
    const caseId = typeof req.params?.caseId === 'string' ? req.params.caseId : undefined;
    const end = res.end.bind(res) as (...args: unknown[]) => Response;
    res.end = ((...args: unknown[]) => {
      const status = res.statusCode;
      const refused = status === 401 || status === 403 || status === 409;
      if (!refused && (!write || ingest)) return end(...args);
      const who = req.principal ?? (res.locals.auditActor as { name: string; role?: string } | undefined);
      audit
        .append({
          at: new Date().toISOString(),
          actor: who?.name ?? 'anonymous',
          ...(who?.role ? { role: who.role } : {}),
          action: spec.operationId,
          target: req.originalUrl.split('?')[0] as string,
          ...(caseId ? { caseId } : {}),
          outcome: status < 400 ? 'ok' : refused ? 'refused' : 'failed',
          status,
          ...(req.socket.remoteAddress ? { from: req.socket.remoteAddress } : {}),
          detail: { method: req.method, ...(res.locals.audit as Record<string, unknown> | undefined) },
        })
        .catch((err: unknown) => logger.error({ err, action: spec.operationId }, 'could not write the audit trail'))
        .finally(() => end(...args));
      return res;
    }) as Response['end'];
    next();
  };
}

/** The Prometheus exposition (a scrape config gives Prometheus a viewer's bearer token). */
function prometheusRoute(metrics: ApiMetrics): RouteSpec {
  return {
    method: 'get',
    path: '/metrics',
    operationId: 'getMetrics',
    summary: 'Prometheus metrics: ingest by source and outcome, dispatch lag, backlog, approvals pending, suppression hits (docs/metrics.md)',
    tags: ['meta'],
    roles: ['viewer'],
    responses: { 200: { description: 'text/plain; version=0.0.4' } },
    handler: async (_req, res) => void res.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  };
}

/** Payloads as the Temporal UI and CLI codec protocol carries them: metadata values and data in base64. */
interface WirePayload {
  metadata?: Record<string, string>;
  data?: string;
}

/**
 * The codec server for the Temporal UI and CLI (`temporal workflow show --codec-endpoint
 * <api>/v1/codec --codec-auth "Bearer <token>"`): analysts may read sealed histories.
 */
function codecRoute(codec: PayloadCodec): RouteSpec {
  const fromWire = (p: WirePayload): Payload => ({
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
    data: Buffer.from(p.data ?? '', 'base64'),
  });
  const toWire = (p: Payload): WirePayload => ({
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v as Uint8Array).toString('base64')])),
    data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
  });
  const Wire = Type.Object({ metadata: Type.Optional(Type.Record(Type.String(), Type.String())), data: Type.Optional(Type.String()) });
  return {
    method: 'post',
    path: '/v1/codec/decode',
    operationId: 'decodePayloads',
    summary: 'Open sealed workflow payloads (the Temporal codec-server protocol), for the Temporal UI and CLI',
    tags: ['meta'],
    roles: ['analyst'],
    // It opens, and changes nothing: the Temporal UI's fetch cannot send a CSRF token.
    csrf: 'exempt',
    body: Type.Object({ payloads: Type.Array(Wire, { maxItems: 1000 }) }),
    responses: { 200: { description: 'The payloads, opened', schema: Type.Object({ payloads: Type.Array(Wire) }) }, 422: { description: 'A payload no key opens', schema: Problem } },
    handler: async (req, res) => {
      let opened: Payload[];
      try {
        opened = await codec.decode((req.body as { payloads: WirePayload[] }).payloads.map(fromWire));
      } catch (err) {
        throw new HttpError(422, `cannot open a payload: ${err instanceof Error ? err.message : String(err)}`);
      }
      res.json({ payloads: opened.map(toWire) });
    },
  };
}
