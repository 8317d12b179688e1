// Suppression rules at run time: list (with hit counts), add (with author, reason, expiry),
// revoke, and activate a rule suggested by a false-positive verdict. Changes apply at once.
import type { RouteSpec } from '../openapi.ts';
import type { SuppressionRules } from '../ingest/rules.ts';
import { matchProblems, type SuppressionMatch } from '../ingest/suppression.ts';
import { HttpError } from '../problem.ts';
import { Problem, SuppressionBody, SuppressionIdParams, SuppressionResponse } from '../schemas.ts';
import { Type } from '@sinclair/typebox';

export function suppressionRoutes(rules: SuppressionRules): RouteSpec[] {
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
      method: 'post',
      path: '/v1/suppressions',
      operationId: 'createSuppression',
      summary: 'Add a suppression rule (takes effect at once)',
      tags: ['suppressions'],
      roles: ['analyst'],
      body: SuppressionBody,
      responses: {
        201: { description: 'Added', schema: SuppressionResponse },
        422: { description: 'The rule is well-formed but wrong (a bad CIDR, a window that ends before it starts, an expiry in the past)', schema: Problem },
      },
      handler: async (req, res) => {
        const body = req.body as { match: SuppressionMatch; reason: string; expiresAt?: string };
        const problems = matchProblems(body.match);
        if (body.expiresAt && Date.parse(body.expiresAt) <= Date.now()) problems.push('expiresAt is in the past');
        if (problems.length) throw new HttpError(422, problems.join('; '), problems.map((p) => ({ path: 'match', message: p })));
        const rule = await rules.create({ ...body, author: req.principal?.name ?? 'unknown' });
        res.status(201).json(rule);
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
