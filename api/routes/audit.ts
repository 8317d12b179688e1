// The audit trail (admin): who did what, when, from where, and how it came out — every
// authenticated write and every refused attempt, hash-chained (`npm run audit -- verify`).
import { Type } from '@sinclair/typebox';
import type { AuditLog } from '../../store/audit.ts';
import type { RouteSpec } from '../openapi.ts';

const Entry = Type.Object({
  seq: Type.Integer(),
  at: Type.String(),
  actor: Type.String(),
  role: Type.Optional(Type.String()),
  action: Type.String(),
  target: Type.Optional(Type.String()),
  caseId: Type.Optional(Type.String()),
  outcome: Type.String(),
  status: Type.Optional(Type.Integer()),
  from: Type.Optional(Type.String()),
  detail: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  prev: Type.String(),
  hash: Type.String(),
});

export function auditRoutes(audit: AuditLog): RouteSpec[] {
  return [
    {
      method: 'get',
      path: '/v1/audit',
      operationId: 'listAudit',
      summary: 'Read the audit trail, newest first',
      tags: ['audit'],
      roles: ['admin'],
      query: Type.Object({
        actor: Type.Optional(Type.String({ maxLength: 200 })),
        caseId: Type.Optional(Type.String({ maxLength: 200 })),
        action: Type.Optional(Type.String({ maxLength: 200 })),
        since: Type.Optional(Type.String({ format: 'date-time' })),
        until: Type.Optional(Type.String({ format: 'date-time' })),
        limit: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,2}$|^1000$', description: '1–1000, default 100' })),
        before: Type.Optional(Type.String({ pattern: '^[1-9][0-9]*$', description: 'Entries before this seq (the next page)' })),
      }),
      responses: { 200: { description: 'A page of entries', schema: Type.Object({ entries: Type.Array(Entry), next: Type.Optional(Type.String()) }) } },
      handler: async (req, res) => {
        const q = req.query as Record<string, string | undefined>;
        const limit = Number(q.limit ?? 100);
        const entries = await audit.list({
          ...(q.actor ? { actor: q.actor } : {}),
          ...(q.caseId ? { caseId: q.caseId } : {}),
          ...(q.action ? { action: q.action } : {}),
          ...(q.since ? { since: q.since } : {}),
          ...(q.until ? { until: q.until } : {}),
          ...(q.before ? { before: Number(q.before) } : {}),
          limit,
        });
        res.json({ entries, ...(entries.length === limit ? { next: String(entries.at(-1)?.seq) } : {}) });
      },
    },
  ];
}
