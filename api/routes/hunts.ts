// Indicators analysts want found, and the IOC sweeps that hunt them:
//   POST /v1/indicators, GET /v1/indicators, GET/DELETE /v1/indicators/{id}
//   GET /v1/hunts (each sweep: window, counts, feeds, backends), GET /v1/hunts/{id} (its sightings),
//   POST /v1/hunts (sweep now).
import { isIP } from 'node:net';
import { Type } from '@sinclair/typebox';
import { ScheduleNotFoundError, type Client } from '@temporalio/client';
import type { IndicatorType } from '../../core/indicator.ts';
import type { IndicatorStore, StoredIndicator } from '../../store/indicators.ts';
import type { Logger } from '../../telemetry/logger.ts';
import { SWEEP_SCHEDULE_ID } from '../../workflows/definitions.ts';
import type { RouteSpec } from '../openapi.ts';
import { HttpError } from '../problem.ts';
import { Problem } from '../schemas.ts';

/** An analyst's indicator without an expiry stays this long. */
const DEFAULT_TTL_MS = 90 * 86_400_000;

const IndicatorSchema = Type.Object({
  id: Type.String(),
  type: Type.Union([Type.Literal('ip'), Type.Literal('domain'), Type.Literal('url'), Type.Literal('hash')]),
  value: Type.String(),
  source: Type.String({ description: 'analyst, misp, otx or urlhaus' }),
  reference: Type.Optional(Type.String()),
  description: Type.Optional(Type.String()),
  firstSeen: Type.Optional(Type.String()),
  expiresAt: Type.Optional(Type.String()),
  createdAt: Type.String(),
  createdBy: Type.String(),
  revokedAt: Type.Optional(Type.String()),
  revokedBy: Type.Optional(Type.String()),
  sightings: Type.Integer({ description: 'Sightings sweeps have found' }),
  lastSeenAt: Type.Optional(Type.String()),
});

const IndicatorBody = Type.Object(
  {
    type: Type.Union([Type.Literal('ip'), Type.Literal('domain'), Type.Literal('url'), Type.Literal('hash')]),
    value: Type.String({ minLength: 3, maxLength: 2048 }),
    description: Type.Optional(Type.String({ maxLength: 500 })),
    expiresAt: Type.Optional(Type.String({ format: 'date-time', description: 'When it stops being hunted (default: 90 days from now)' })),
  },
  { additionalProperties: false }
);

const SweepSchema = Type.Object({
  id: Type.String(),
  startedAt: Type.String(),
  finishedAt: Type.String(),
  from: Type.String(),
  to: Type.String(),
  status: Type.String({ description: 'ok, partial (a backend or hunt failed), failed' }),
  indicators: Type.Integer(),
  sightings: Type.Integer(),
  alerts: Type.Integer(),
  feeds: Type.Array(Type.Object({}, { additionalProperties: true })),
  backends: Type.Array(Type.Object({}, { additionalProperties: true })),
  notes: Type.Array(Type.String()),
});

export interface HuntRouteDeps {
  indicators: IndicatorStore;
  client: Client;
  logger: Logger;
}

export function huntRoutes(deps: HuntRouteDeps): RouteSpec[] {
  const { indicators } = deps;
  return [
    {
      method: 'post',
      path: '/v1/indicators',
      operationId: 'addIndicator',
      summary: 'Add an indicator for the IOC sweep to hunt (an IP, domain, URL or file hash)',
      description: 'Hunted by every sweep until it expires or is revoked; a sighting becomes an alert (source hunt, severity High). The same active indicator again answers 200 with the existing one.',
      tags: ['hunts'],
      roles: ['analyst'],
      body: IndicatorBody,
      responses: {
        201: { description: 'Added', schema: IndicatorSchema },
        200: { description: 'Already active: the existing indicator', schema: IndicatorSchema },
        422: { description: 'Not a valid value of its type, or an expiry in the past', schema: Problem },
      },
      handler: async (req, res) => {
        const body = req.body as { type: IndicatorType; value: string; description?: string; expiresAt?: string };
        const value = normalize(body.type, body.value);
        const now = new Date();
        if (body.expiresAt && Date.parse(body.expiresAt) <= now.getTime()) throw new HttpError(422, 'expiresAt is in the past', [{ path: 'expiresAt', message: 'must be in the future' }]);
        const expiresAt = body.expiresAt ? new Date(body.expiresAt).toISOString() : new Date(now.getTime() + DEFAULT_TTL_MS).toISOString();
        const createdBy = req.principal?.name ?? 'unknown';
        const { indicator, existing } = await indicators.addAnalyst({ type: body.type, value, ...(body.description ? { description: body.description } : {}), expiresAt, createdBy }, now);
        deps.logger.info({ audit: { action: 'indicator.add', actor: createdBy, indicator: indicator.id, existing } }, 'indicator added');
        res.status(existing ? 200 : 201).json(indicator);
      },
    },
    {
      method: 'get',
      path: '/v1/indicators',
      operationId: 'listIndicators',
      summary: 'Indicators: analysts\u2019 and the feeds\u2019, active or all',
      tags: ['hunts'],
      roles: ['viewer'],
      query: Type.Object({
        source: Type.Optional(Type.String({ pattern: '^[a-z]{2,20}$' })),
        active: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')], { description: 'true (default): only those a sweep hunts' })),
        limit: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,3}$', description: '1–1000, default 100' })),
        after: Type.Optional(Type.String({ pattern: '^ind_[0-9a-f]{16}$', description: 'The last id of the previous page' })),
      }),
      responses: { 200: { description: 'A page of indicators', schema: Type.Object({ indicators: Type.Array(IndicatorSchema), next: Type.Optional(Type.String()) }) } },
      handler: async (req, res) => {
        const q = req.query as { source?: string; active?: string; limit?: string; after?: string };
        const limit = Math.min(Number(q.limit ?? 100), 1000);
        const list = await indicators.list({ ...(q.source ? { source: q.source } : {}), active: q.active !== 'false', limit, ...(q.after ? { after: q.after } : {}) });
        res.json({ indicators: list, ...(list.length === limit ? { next: list.at(-1)?.id } : {}) });
      },
    },
    {
      method: 'get',
      path: '/v1/indicators/{id}',
      operationId: 'getIndicator',
      summary: 'One indicator, with how often sweeps have seen it',
      tags: ['hunts'],
      roles: ['viewer'],
      params: IndicatorParams,
      responses: { 200: { description: 'The indicator', schema: IndicatorSchema }, 404: { description: 'No such indicator', schema: Problem } },
      handler: async (req, res) => void res.json(found(await indicators.get(req.params.id as string), req.params.id as string)),
    },
    {
      method: 'delete',
      path: '/v1/indicators/{id}',
      operationId: 'revokeIndicator',
      summary: 'Stop hunting an indicator (it stays listed, revoked, with who and when)',
      tags: ['hunts'],
      roles: ['analyst'],
      params: IndicatorParams,
      responses: { 200: { description: 'Revoked', schema: IndicatorSchema }, 404: { description: 'No such indicator', schema: Problem } },
      handler: async (req, res) => {
        const id = req.params.id as string;
        found(await indicators.get(id), id);
        const actor = req.principal?.name ?? 'unknown';
        const revoked = (await indicators.revoke(id, actor)) as StoredIndicator;
        deps.logger.info({ audit: { action: 'indicator.revoke', actor, indicator: id } }, 'indicator revoked');
        res.json(revoked);
      },
    },
    {
      method: 'get',
      path: '/v1/hunts',
      operationId: 'listHunts',
      summary: 'IOC sweeps, newest first: the window each searched, what the feeds gave, what each backend found, the alerts raised',
      tags: ['hunts'],
      roles: ['viewer'],
      query: Type.Object({
        limit: Type.Optional(Type.String({ pattern: '^([1-9][0-9]?|100)$', description: '1–100, default 20' })),
        before: Type.Optional(Type.String({ format: 'date-time', description: 'Sweeps started before this time' })),
      }),
      responses: { 200: { description: 'A page of sweeps', schema: Type.Object({ hunts: Type.Array(SweepSchema), next: Type.Optional(Type.String()) }) } },
      handler: async (req, res) => {
        const q = req.query as { limit?: string; before?: string };
        const limit = Number(q.limit ?? 20);
        const list = await indicators.sweeps(limit, q.before);
        res.json({ hunts: list, ...(list.length === limit ? { next: list.at(-1)?.startedAt } : {}) });
      },
    },
    {
      method: 'get',
      path: '/v1/hunts/{id}',
      operationId: 'getHunt',
      summary: 'One sweep and its sightings (each with the alert it became)',
      tags: ['hunts'],
      roles: ['viewer'],
      params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 256 }) }),
      responses: {
        200: { description: 'The sweep', schema: Type.Object({ hunt: SweepSchema, sightings: Type.Array(Type.Object({}, { additionalProperties: true })) }) },
        404: { description: 'No such sweep', schema: Problem },
      },
      handler: async (req, res) => {
        const got = await indicators.sweep(req.params.id as string);
        if (!got) throw new HttpError(404, `no hunt ${req.params.id}`);
        res.json({ hunt: got.run, sightings: got.sightings });
      },
    },
    {
      method: 'post',
      path: '/v1/hunts',
      operationId: 'runHunt',
      summary: 'Run the IOC sweep now (besides its schedule)',
      tags: ['hunts'],
      roles: ['analyst'],
      responses: {
        202: { description: 'Started; GET /v1/hunts shows it when it ends', schema: Type.Object({ scheduleId: Type.String() }) },
        409: { description: 'The sweep is off (RIPOSTE_SWEEP_EVERY=off) or its schedule does not exist yet (no worker has started)', schema: Problem },
      },
      handler: async (req, res) => {
        try {
          await deps.client.schedule.getHandle(SWEEP_SCHEDULE_ID).trigger();
        } catch (err) {
          if (err instanceof ScheduleNotFoundError) throw new HttpError(409, `no sweep schedule ${SWEEP_SCHEDULE_ID}: the sweep is off, or no worker has created it yet`);
          throw err;
        }
        deps.logger.info({ audit: { action: 'hunt.run', actor: req.principal?.name } }, 'sweep triggered');
        res.status(202).json({ scheduleId: SWEEP_SCHEDULE_ID });
      },
    },
  ];
}

const IndicatorParams = Type.Object({ id: Type.String({ pattern: '^ind_[0-9a-f]{16}$' }) });

function found<T>(v: T | undefined, id: string): T {
  if (v === undefined) throw new HttpError(404, `no indicator ${id}`);
  return v;
}

const DOMAIN = /^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/;
const HASH = /^([0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64}|[0-9a-f]{128})$/;

/** The value as sweeps compare it; 422 when it is not one of its type. */
function normalize(type: IndicatorType, raw: string): string {
  const v = raw.trim();
  const bad = (why: string) => new HttpError(422, `value is not ${why}`, [{ path: 'value', message: `must be ${why}` }]);
  switch (type) {
    case 'ip':
      if (isIP(v) === 0) throw bad('an IP address');
      return v.toLowerCase();
    case 'domain': {
      const d = v.toLowerCase().replace(/\.$/, '');
      if (!DOMAIN.test(d)) throw bad('a domain name');
      return d;
    }
    case 'url': {
      let u: URL;
      try {
        u = new URL(v);
      } catch {
        throw bad('an http(s) URL');
      }
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw bad('an http(s) URL');
      return v;
    }
    case 'hash': {
      const h = v.toLowerCase();
      if (!HASH.test(h)) throw bad('an MD5, SHA-1, SHA-256 or SHA-512 hash in hex');
      return h;
    }
  }
}
