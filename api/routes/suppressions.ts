// Suppression rules at run time: list (with hit counts), add (with author, reason, expiry),
// revoke, and activate a rule suggested by a false-positive verdict. Changes apply at once.
import type { RouteSpec } from '../openapi.ts';
import type { SuppressionRules } from '../ingest/rules.ts';
import { matchProblems, tooBroad, type SuppressionMatch } from '../../domain/suppression.ts';
import { HttpError } from '../problem.ts';
import { Problem, SuppressionBody, SuppressionIdParams, SuppressionResponse } from '../schemas.ts';
import { Type } from '@sinclair/typebox';
import type { AlertStore } from '../../store/types.ts';
import { rankSuggestions } from '../suggestions.ts';
import type { Triage } from '../triage.ts';

const Impact = Type.Object({
  days: Type.Integer(),
  alerts: Type.Integer({ description: 'Alerts received in those days (at most 50,000 are looked at)' }),
  wouldHaveSuppressed: Type.Integer(),
  examples: Type.Array(Type.String(), { description: 'A few of their alert ids' }),
  capped: Type.Boolean(),
  tooBroad: Type.Optional(Type.String({ description: 'Why only an admin may add it (as global)' })),
});

const RankedSuggestion = Type.Object({
  rule: SuppressionResponse,
  wouldHaveSuppressed: Type.Integer({ description: 'Alerts of the last days it would have suppressed' }),
  examples: Type.Array(Type.String(), { description: 'A few of their alert ids' }),
  verdicts: Type.Object({ falsePositives: Type.Integer(), total: Type.Integer() }, { description: 'Analysts\u2019 verdicts on that rule on that host' }),
  falsePositiveRate: Type.Number({ description: '(false positives + 1) / (verdicts + 2)' }),
  score: Type.Number({ description: 'wouldHaveSuppressed × falsePositiveRate: the noise it would remove' }),
  evidence: Type.String({ description: 'The figures, in words' }),
});

export function suppressionRoutes(rules: SuppressionRules, store: AlertStore, triage?: Pick<Triage, 'verdictsOn'>): RouteSpec[] {
  const find = async (id: string) => {
    const rule = await rules.get(id);
    if (!rule) throw new HttpError(404, `no suppression rule ${id}`);
    if (rule.origin === 'config') throw new HttpError(409, `rule ${id} comes from the configuration file; change it there`);
    return rule;
  };
  return [
    {
      method: 'get',
      path: '/v1/suppressions',
      operationId: 'listSuppressions',
      summary: 'List suppression rules: from the configuration file, added at run time, and suggested',
      tags: ['suppressions'],
      roles: ['viewer'],
      responses: { 200: { description: 'Every rule, with how often it matched', schema: Type.Object({ rules: Type.Array(SuppressionResponse) }) } },
      handler: async (_req, res) => void res.json({ rules: await rules.list() }),
    },
    {
      method: 'get',
      path: '/v1/suppressions/suggestions',
      operationId: 'rankSuppressionSuggestions',
      summary: 'Suggested rules, ranked by the noise each would remove: alerts of the last 7 days it would have suppressed, times the false-positive rate of the verdicts on it',
      tags: ['suppressions'],
      roles: ['viewer'],
      responses: {
        200: {
          description: 'The suggestions, highest score first, each with its evidence',
          schema: Type.Object({ days: Type.Integer(), alerts: Type.Integer({ description: 'Alerts looked at (at most 50,000)' }), capped: Type.Boolean(), suggestions: Type.Array(RankedSuggestion) }),
        },
      },
      handler: async (_req, res) => void res.json(await rankSuggestions(await rules.list(), store, triage)),
    },
    {
      method: 'post',
      path: '/v1/suppressions',
      operationId: 'createSuppression',
      summary: 'Add a suppression rule (takes effect at once)',
      tags: ['suppressions'],
      roles: ['analyst'],
      body: Type.Composite([SuppressionBody, Type.Object({ global: Type.Optional(Type.Boolean({ description: 'Admins only: a rule broader than an analyst may add (a /15 or wider range, a top-level domain, a window over every host)' })) })], { additionalProperties: false }),
      responses: {
        201: { description: 'Added, with what it would have suppressed over the last 7 days', schema: Type.Composite([SuppressionResponse, Type.Object({ global: Type.Optional(Type.Boolean()), impact: Impact })]) },
        403: { description: 'global without the admin role', schema: Problem },
        422: { description: 'The rule is well-formed but wrong (a bad CIDR, a window that ends before it starts, an expiry in the past)', schema: Problem },
      },
      handler: async (req, res) => {
        const { global, ...body } = req.body as { match: SuppressionMatch; reason: string; expiresAt?: string; global?: boolean };
        const problems = matchProblems(body.match);
        if (body.expiresAt && Date.parse(body.expiresAt) <= Date.now()) problems.push('expiresAt is in the past');
        if (problems.length) throw new HttpError(422, problems.join('; '), problems.map((p) => ({ path: 'match', message: p })));
        const broad = tooBroad(body.match);
        if (global && req.principal?.role !== 'admin') throw new HttpError(403, 'only an admin may add a global rule');
        if (broad && !global) throw new HttpError(422, `too broad: ${broad}; an admin may add it with "global": true`, [{ path: 'match', message: broad }]);
        const impact = await rules.impact(body.match);
        const rule = await rules.create({ ...body, ...(global ? { global: true } : {}), author: req.principal?.name ?? 'unknown' });
        res.status(201).json({ ...rule, impact });
      },
    },
    {
      method: 'post',
      path: '/v1/suppressions/impact',
      operationId: 'suppressionImpact',
      summary: 'What a rule would have suppressed over the last 7 days, before adding it',
      tags: ['suppressions'],
      roles: ['analyst'],
      body: Type.Object({ match: SuppressionBody.properties.match }, { additionalProperties: false }),
      responses: {
        200: { description: 'Its impact, and whether it is too broad for an analyst alone', schema: Impact },
        422: { description: 'Not a valid rule', schema: Problem },
      },
      handler: async (req, res) => {
        const { match } = req.body as { match: SuppressionMatch };
        const problems = matchProblems(match);
        if (problems.length) throw new HttpError(422, problems.join('; '), problems.map((p) => ({ path: 'match', message: p })));
        const broad = tooBroad(match);
        res.json({ ...(await rules.impact(match)), ...(broad ? { tooBroad: broad } : {}) });
      },
    },
    {
      method: 'delete',
      path: '/v1/suppressions/{id}',
      operationId: 'revokeSuppression',
      summary: 'Revoke a rule (kept, with who revoked it, for the record)',
      tags: ['suppressions'],
      roles: ['analyst'],
      params: SuppressionIdParams,
      responses: {
        200: { description: 'Revoked', schema: SuppressionResponse },
        404: { description: 'No such rule', schema: Problem },
        409: { description: 'A configuration-file rule', schema: Problem },
      },
      handler: async (req, res) => {
        await find(req.params.id as string);
        res.json(await rules.setStatus(req.params.id as string, 'revoked', req.principal?.name ?? 'unknown'));
      },
    },
    {
      method: 'post',
      path: '/v1/suppressions/{id}/activate',
      operationId: 'activateSuppression',
      summary: 'Activate a suggested rule after review',
      tags: ['suppressions'],
      roles: ['analyst'],
      params: SuppressionIdParams,
      responses: {
        200: { description: 'Active', schema: SuppressionResponse },
        404: { description: 'No such rule', schema: Problem },
        409: { description: 'Not a suggestion waiting for review', schema: Problem },
      },
      handler: async (req, res) => {
        const rule = await find(req.params.id as string);
        if (rule.status !== 'suggested') throw new HttpError(409, `rule ${rule.id} is ${rule.status}, not a suggestion`);
        res.json(await rules.setStatus(rule.id, 'active', req.principal?.name ?? 'unknown'));
      },
    },
  ];
}
