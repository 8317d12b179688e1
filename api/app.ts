// createApp builds the HTTP API and does not listen: the server entry and tests both use it.
import { Type } from '@sinclair/typebox';
import type { Client } from '@temporalio/client';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { TokenEntry } from '../config/index.ts';
import type { Logger } from '../telemetry/logger.ts';
import type { PlaybookSettings } from '../workflows/definitions.ts';
import { authenticator } from './auth.ts';
import { createAjv, expressPath, openApiDocument, requestValidator, type RouteSpec } from './openapi.ts';
import { HttpError, sendProblem } from './problem.ts';
import { Problem } from './schemas.ts';
import { alertRoutes } from './routes/alerts.ts';
import { caseRoutes } from './routes/cases.ts';

export interface AppDeps {
  client: Client;
  tokens: TokenEntry[];
  logger: Logger;
  taskQueue: string;
  settings: PlaybookSettings;
  maxBodyBytes: number;
  version: string;
}

export function routeSpecs(deps: AppDeps): RouteSpec[] {
  const meta: RouteSpec[] = [
    {
      method: 'get',
      path: '/v1/health',
      operationId: 'getHealth',
      summary: 'Liveness',
      tags: ['meta'],
      roles: 'public',
      responses: { 200: { description: 'Up', schema: Type.Object({ status: Type.Literal('ok') }) } },
      handler: (_req, res) => void res.json({ status: 'ok' }),
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
  const specs = [...meta, ...alertRoutes(deps), ...caseRoutes(deps)];
  const document = openApiDocument(specs, { version: deps.version }, Problem);
  return specs;
}

export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  const ajv = createAjv();
  const auth = authenticator(deps.tokens);
  const json = express.json({ limit: deps.maxBodyBytes, type: () => true, strict: true });

  for (const spec of routeSpecs(deps)) {
    const handlers = [auth(spec.roles)];
    if (spec.body) handlers.push(requireJson, json);
    handlers.push(requestValidator(ajv, spec));
    app[spec.method](expressPath(spec.path), ...handlers, async (req: Request, res: Response) => spec.handler(req, res));
  }

  app.use((req: Request, _res: Response, next: NextFunction) => next(new HttpError(404, `no route ${req.method} ${req.path}`)));
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof HttpError) return sendProblem(res, err.status, err.message, err.errors, err.headers);
    const e = err as { type?: string; status?: number; message?: string };
    if (e.type === 'entity.too.large') return sendProblem(res, 413, `the body is larger than the ${deps.maxBodyBytes}-byte limit`);
    if (e.type === 'entity.parse.failed') return sendProblem(res, 400, `malformed JSON: ${e.message ?? 'parse error'}`);
    if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported') return sendProblem(res, 415, e.message ?? 'unsupported encoding');
    if (e.type === 'request.aborted') return;
    deps.logger.error({ err, method: req.method, path: req.path }, 'request failed');
    sendProblem(res, 500, 'internal error; the request was not completed (see the server log)');
  });
  return app;
}

function requireJson(req: Request, _res: Response, next: NextFunction): void {
  if (!req.is('application/json') && !req.is('application/*+json')) {
    return next(new HttpError(415, 'the body must be JSON: send Content-Type: application/json'));
  }
  next();
}
