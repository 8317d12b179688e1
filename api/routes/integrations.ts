// GET /v1/integrations — what the catalog holds, what is configured, and how it has been doing.
import { Type } from '@sinclair/typebox';
import type { IntegrationView } from '../integrations.ts';
import type { RouteSpec } from '../openapi.ts';

const Integration = Type.Object({
  name: Type.String(),
  title: Type.String(),
  category: Type.Union(['enrichment', 'hunting', 'imaging', 'ticketing', 'containment', 'notification'].map((c) => Type.Literal(c))),
  configured: Type.Boolean(),
  missing: Type.Array(Type.String(), { description: 'Required settings that are not set' }),
  settings: Type.Array(Type.Object({ name: Type.String(), required: Type.Boolean(), secret: Type.Boolean(), set: Type.Boolean() }), {
    description: 'The variables it reads and whether each is set; values are never shown',
  }),
  rateLimit: Type.Union([Type.Null(), Type.Object({ limit: Type.Integer(), intervalMs: Type.Integer() })]),
  activities: Type.Array(Type.String()),
  docUrl: Type.String(),
  lastSuccessAt: Type.Union([Type.Null(), Type.String()]),
  lastFailureAt: Type.Union([Type.Null(), Type.String()]),
  lastFailure: Type.Union([Type.Null(), Type.Object({ type: Type.String(), message: Type.String() })]),
  successes: Type.Integer(),
  failures: Type.Integer(),
});

export function integrationRoutes(list: () => Promise<IntegrationView[]>): RouteSpec[] {
  return [
    {
      method: 'get',
      path: '/v1/integrations',
      operationId: 'listIntegrations',
      summary: 'Every integration: configured or not, its rate limit, its last success and failure',
      tags: ['integrations'],
      roles: ['viewer'],
      responses: { 200: { description: 'The catalog', schema: Type.Object({ integrations: Type.Array(Integration) }) } },
      handler: async (_req, res) => void res.json({ integrations: await list() }),
    },
  ];
}
