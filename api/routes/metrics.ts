// Incident-response timings (GET /v1/metrics/summary) and metrics over time for charts
// (GET /v1/metrics/series), from the case record and the alert store.
import { Type } from '@sinclair/typebox';
import type { CaseRecordStore } from '../../store/case-record.ts';
import type { AlertStore } from '../../store/types.ts';
import type { CaseService } from '../cases.ts';
import { GROUP_BY, metricsSummary, type GroupBy } from '../timings-summary.ts';
import { periodMarkdown, periodReport } from '../period-report.ts';
import { BUCKETS, MAX_BUCKETS, metricsSeries, type Bucket } from '../metrics-series.ts';
import type { RouteSpec } from '../openapi.ts';
import { Problem } from '../schemas.ts';

const StatSchema = Type.Object({ n: Type.Integer(), p50: Type.Optional(Type.Number()), p90: Type.Optional(Type.Number()), mean: Type.Optional(Type.Number()) }, { description: 'Seconds' });

const Counts = Type.Array(Type.Integer({ minimum: 0 }), { description: 'One per bucket' });

export const MetricsSeriesQuery = Type.Object({
  since: Type.Optional(Type.String({ format: 'date-time', description: 'From (default: 2 days before until by hour, 30 days by day); rounded down to its bucket' })),
  until: Type.Optional(Type.String({ format: 'date-time', description: 'Before (default: now)' })),
  bucket: Type.Optional(Type.Union(BUCKETS.map((b) => Type.Literal(b)), { description: 'hour or day (default day)' })),
});

export const MetricsSeriesResponse = Type.Object({
  since: Type.String(),
  until: Type.String(),
  bucket: Type.Union(BUCKETS.map((b) => Type.Literal(b))),
  buckets: Type.Array(Type.String(), { description: 'Each bucket\u2019s start (UTC); every series has one value per bucket' }),
  alerts: Type.Object({
    bySource: Type.Array(Type.Object({ source: Type.String(), counts: Counts }), { description: 'Alerts received, by source (repeats of an alert counted once)' }),
    suppressed: Counts,
  }),
  cases: Type.Object({
    opened: Counts,
    byStatus: Type.Array(Type.Object({ status: Type.String(), counts: Counts }), { description: 'Cases opened in each bucket, by their status now' }),
    byVerdict: Type.Array(Type.Object({ verdict: Type.String(), counts: Counts }), { description: 'Cases opened in each bucket, by their verdict (none: not judged)' }),
  }),
  slaBreaches: Type.Object({ acknowledge: Counts, contain: Counts }, { description: 'Cases opened in each bucket that missed a service level' }),
  timings: Type.Array(
    Type.Object({
      by: Type.Union([Type.Literal('severity'), Type.Literal('source')]),
      key: Type.String(),
      timing: Type.Union(['detect', 'acknowledge', 'contain', 'resolve'].map((t) => Type.Literal(t))),
      p50: Type.Array(Type.Union([Type.Number(), Type.Null()]), { description: 'Median seconds of the cases opened in each bucket (null: none)' }),
      n: Counts,
    })
  ),
  falsePositives: Type.Array(Type.Object({ rule: Type.String(), judged: Counts, falsePositive: Counts }), { description: 'Per detection rule (the case\u2019s first alert\u2019s), the cases given a verdict and those judged false positives; the 20 rules with the most' }),
  partial: Type.Optional(Type.Boolean({ description: 'More cases (20,000) or alerts (50,000) than one answer reads: narrow the period' })),
});

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
    {
      method: 'get',
      path: '/v1/metrics/series',
      operationId: 'metricsSeries',
      summary: 'Metrics over time, per hour or day: alerts by source and suppressed, cases by status and verdict, SLA breaches, median timings by severity and source, false positives by rule',
      tags: ['metrics'],
      roles: ['viewer'],
      query: MetricsSeriesQuery,
      responses: {
        200: { description: 'The series', schema: MetricsSeriesResponse },
        422: { description: `since is not before until, or the period holds more than ${MAX_BUCKETS} buckets`, schema: Problem },
      },
      handler: async (req, res) => void res.json(await metricsSeries(deps, req.query as { since?: string; until?: string; bucket?: Bucket })),
    },
  ];
}
