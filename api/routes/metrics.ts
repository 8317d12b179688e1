// Incident-response timings (GET /v1/metrics/summary), from the case record.
import { Type } from '@sinclair/typebox';
import type { CaseRecordStore } from '../../store/case-record.ts';
import type { AlertStore } from '../../store/types.ts';
import type { CaseService } from '../cases.ts';
import { GROUP_BY, metricsSummary, type GroupBy } from '../timings-summary.ts';
import { periodMarkdown, periodReport } from '../period-report.ts';
import type { RouteSpec } from '../openapi.ts';
import { Problem } from '../schemas.ts';

const StatSchema = Type.Object({ n: Type.Integer(), p50: Type.Optional(Type.Number()), p90: Type.Optional(Type.Number()), mean: Type.Optional(Type.Number()) }, { description: 'Seconds' });

export function metricsRoutes(deps: { store: AlertStore; record: CaseRecordStore; cases: CaseService }): RouteSpec[] {
  return [
    {
      method: 'get',
      path: '/v1/reports/summary',
      operationId: 'periodReport',
      summary: 'The period report: volumes, outcomes, timings, top rules and entities, false-positive rate, suppression effect',
      description: 'JSON, or Markdown with ?format=markdown (or Accept: text/markdown). Default period: the 7 days before until (default now).',
      tags: ['metrics'],
      roles: ['viewer'],
      query: Type.Object({
        since: Type.Optional(Type.String({ format: 'date-time' })),
        until: Type.Optional(Type.String({ format: 'date-time' })),
        format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('markdown')])),
      }),
      responses: { 200: { description: 'The report' }, 422: { description: 'since is not before until', schema: Problem } },
      handler: async (req, res) => {
        const q = req.query as { since?: string; until?: string; format?: string };
        const report = await periodReport(deps, q);
        const markdown = q.format === 'markdown' || (!q.format && req.accepts(['application/json', 'text/markdown']) === 'text/markdown');
        if (markdown) return void res.type('text/markdown; charset=utf-8').send(periodMarkdown(report));
        res.json(report);
      },
    },
    {
      method: 'get',
      path: '/v1/metrics/summary',
      operationId: 'metricsSummary',
      summary: 'Time to detect, acknowledge, contain and resolve — p50, p90 and mean per group (docs/metrics.md)',
      tags: ['metrics'],
      roles: ['viewer'],
      query: Type.Object({
        since: Type.Optional(Type.String({ format: 'date-time', description: 'Cases opened at or after' })),
        until: Type.Optional(Type.String({ format: 'date-time', description: 'Cases opened before' })),
        groupBy: Type.Optional(Type.Union(GROUP_BY.map((g) => Type.Literal(g)))),
      }),
      responses: {
        200: {
          description: 'The summary',
          schema: Type.Object({
            since: Type.Optional(Type.String()),
            until: Type.Optional(Type.String()),
            groupBy: Type.String(),
            cases: Type.Integer(),
            partial: Type.Optional(Type.Boolean({ description: 'More cases than one summary reads (20,000): narrow the range' })),
            groups: Type.Array(Type.Object({ key: Type.String(), cases: Type.Integer(), detect: StatSchema, acknowledge: StatSchema, contain: StatSchema, resolve: StatSchema })),
          }),
        },
        422: { description: 'since is not before until', schema: Problem },
      },
      handler: async (req, res) => {
        const q = req.query as { since?: string; until?: string; groupBy?: GroupBy };
        res.json(await metricsSummary(deps, q));
      },
    },
  ];
}
