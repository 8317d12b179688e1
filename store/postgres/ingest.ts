// The ingest decisions on PostgreSQL — the same as the SQLite store's (../sqlite/ingest.ts), taken
// inside the transaction that commits the alert. Several API replicas may ingest at once, so a
// transaction first locks what its decisions read (advisory locks on each alert's source id,
// fingerprint and entities, and the request keys, in one order so two replicas never wait on
// each other in a circle): a re-send, a repeat, or a second alert on the same host is decided
// after the first one committed, as on one box.
import type pg from 'pg';
import { entityKeys, fingerprint } from '../../domain/entities.ts';
import { SuppressionMatcher, type SuppressionRule } from '../../domain/suppression.ts';
import { ENTITY_REFRESH_MS, EntityRefresh } from '../entity-refresh.ts';
import { ALERT_COLUMNS, autoCloseVerdict, caseTriage, closedByAutoClose, type AlertRow } from '../rows.ts';
import { noNul } from './db.ts';
import type { IngestItem, IngestPolicy, IngestResult, RequestRecord } from '../types.ts';

export interface IngestJob {
  items: IngestItem[];
  policy: IngestPolicy;
  request?: RequestRecord;
}

type Known = { alert_id: string; occurrences: number | null; status: string | null };

/** What a batch of jobs must hold before deciding anything. */
export function lockKeys(jobs: IngestJob[]): string[] {
  const keys = new Set<string>();
  for (const job of jobs) {
    for (const { alert } of job.items) {
      keys.add(`u ${alert.source} ${alert.sourceUid}`);
      keys.add(`f ${fingerprint(alert)}`);
      for (const e of entityKeys(alert.observables)) keys.add(`e ${e}`);
    }
    for (const k of job.request?.keys ?? []) keys.add(`r ${k}`);
  }
  return [...keys];
}

/** Takes the advisory locks (released at commit), in hash order. */
export async function lockFor(tx: pg.PoolClient, keys: string[]): Promise<void> {
  if (keys.length === 0) return;
  await tx.query('SELECT pg_advisory_xact_lock(h) FROM (SELECT DISTINCT hashtextextended(k, 0) AS h FROM unnest($1::text[]) AS k) s ORDER BY h', [keys]);
}

export class PgIngestDecisions {
  suppression = new SuppressionMatcher([]);
  readonly entities = new EntityRefresh();

  /** One request's items, in a savepoint of the batch's transaction; `added`: outbox rows. */
  async runJob(tx: pg.PoolClient, job: IngestJob): Promise<{ results: IngestResult[]; added: number }> {
    let added = 0;
    const results: IngestResult[] = [];
    for (const item of job.items) {
      const r = await this.ingestOne(tx, item, job.policy);
      if (r.queued) added += 1;
      results.push(r.result);
    }
    const hits = new Map<string, number>();
    for (const r of results) if (r.suppressedBy && r.outcome !== 'duplicate') hits.set(r.suppressedBy, (hits.get(r.suppressedBy) ?? 0) + 1);
    for (const [id, n] of hits) await this.recordHits(tx, id, n, job.policy.now);
    if (job.request) {
      const kept = JSON.stringify({ results, context: job.request.context });
      await tx.query(
        'INSERT INTO requests (key, body_sha, status, body, created_at) SELECT k, $2, 0, $3, $4 FROM unnest($1::text[]) AS k ON CONFLICT (key) DO NOTHING',
        [job.request.keys, job.request.bodySha, kept, job.policy.now.toISOString()]
      );
    }
    return { results, added };
  }

  private async ingestOne(tx: pg.PoolClient, item: IngestItem, policy: IngestPolicy): Promise<{ result: IngestResult; queued: boolean }> {
    const { alert } = item;
    const now = policy.now.toISOString();
    const one = async <R extends pg.QueryResultRow>(sql: string, params: unknown[]) => (await tx.query<R>(sql, params)).rows[0];

    // 1. This very alert again (the source's own id): a re-send, or news about it.
    const own = await one<Known>('SELECT id AS alert_id, occurrences, status FROM alerts WHERE id = $1 AND source = $2 AND source_uid = $3', [alert.id, alert.source, alert.sourceUid]);
    const known = own ?? (await one<Known>('SELECT alert_id, occurrences, status FROM alert_uids WHERE source = $1 AND uid = $2', [alert.source, alert.sourceUid]));
    if (known) {
      const row = (await one<AlertRow>(`SELECT ${ALERT_COLUMNS} FROM alerts WHERE id = $1`, [known.alert_id])) as AlertRow;
      const base = { alertId: row.id, caseId: row.case_id, ...(row.suppressed_by ? { suppressedBy: row.suppressed_by } : {}) };
      const more = item.occurrences !== undefined && known.occurrences !== null && item.occurrences > known.occurrences;
      const resolved = item.status === 'resolved' && known.status !== 'resolved';
      if (!more && !resolved) return { result: { ...base, outcome: 'duplicate' }, queued: false };
      if (more) await this.countRepeat(tx, (item.occurrences as number) - (known.occurrences as number), alert.time, now, row.id);
      if (resolved) await tx.query('UPDATE alerts SET status = $1, last_seen = greatest(last_seen, $2), last_received_at = $3 WHERE id = $4', ['resolved', alert.time, now, row.id]);
      if (own) await tx.query('UPDATE alerts SET occurrences = $1 WHERE id = $2', [item.occurrences ?? own.occurrences, row.id]);
      else await tx.query('UPDATE alert_uids SET occurrences = $1, status = $2 WHERE source = $3 AND uid = $4', [item.occurrences ?? known.occurrences, item.status ?? known.status, alert.source, alert.sourceUid]);
      const queued = resolved && row.case_id !== null;
      if (queued) await this.queue(tx, row.case_id as string, row.id, 'resolved', now, policy.traceparent, true);
      return { result: { ...base, outcome: 'updated' }, queued };
    }

    // 2. A known false positive? Stored and counted, never dispatched.
    const rule = this.suppression.match(alert, policy.now);
    const fp = fingerprint(alert);
    const count = Math.max(1, item.occurrences ?? 1);

    // 3. A repeat of a recent alert (same fingerprint, same suppression): counted on it.
    const repeat = await one<{ id: string; case_id: string | null; suppressed_by: string | null }>(
      'SELECT id, case_id, suppressed_by FROM alerts WHERE fingerprint = $1 AND last_received_at >= $2 ORDER BY last_received_at DESC LIMIT 1',
      [fp, new Date(policy.now.getTime() - policy.dedupWindowMs).toISOString()]
    );
    if (repeat && (repeat.suppressed_by ?? undefined) === rule?.id) {
      await this.countRepeat(tx, count, alert.time, now, repeat.id);
      await tx.query('INSERT INTO alert_uids (source, uid, alert_id, occurrences, status) VALUES ($1, $2, $3, $4, $5)', [alert.source, alert.sourceUid, repeat.id, item.occurrences ?? null, item.status ?? null]);
      if (repeat.case_id) {
        await this.touchCase(tx, now, 0, alert.severity_id, repeat.case_id);
        for (const e of entityKeys(alert.observables)) await this.touchEntity(tx, e, repeat.case_id, policy.now);
      }
      const outcome = rule ? 'suppressed' : 'deduplicated';
      return { result: { alertId: repeat.id, caseId: repeat.case_id, outcome, ...(rule ? { suppressedBy: rule.id } : {}) }, queued: false };
    }

    // 4. New: join the open case sharing an entity within the window, or open one.
    let caseId: string | null = null;
    let autoClosed = false;
    const entities = entityKeys(alert.observables);
    if (!rule) {
      const since = new Date(policy.now.getTime() - policy.correlationWindowMs - ENTITY_REFRESH_MS).toISOString();
      const joined = entities.length
        ? await one<{ id: string; verdict: string | null }>(
            'SELECT c.id, c.verdict FROM case_entities e JOIN cases c ON c.id = e.case_id WHERE e.entity = ANY($1::text[]) AND e.last_seen >= $2 ORDER BY c.created_at LIMIT 1',
            [entities, since]
          )
        : undefined;
      const triage = caseTriage(alert.id, item.triage);
      if (joined) {
        caseId = joined.id;
        await this.touchCase(tx, now, 1, alert.severity_id, caseId, triage);
        autoClosed = Boolean(item.triage?.autoClose) && closedByAutoClose(joined.verdict);
      } else {
        caseId = `cs_${alert.id.slice(3)}`;
        autoClosed = Boolean(item.triage?.autoClose);
        await tx.query('INSERT INTO cases (id, title, severity_id, created_at, last_alert_at, alert_count, priority, triage, verdict) VALUES ($1, $2, $3, $4, $4, 1, $5, $6, $7)', [
          caseId, alert.title, alert.severity_id, now, triage.priority, triage.triage, autoClosed && item.triage ? autoCloseVerdict(item.triage, now) : null,
        ]);
      }
      for (const e of entities) await this.touchEntity(tx, e, caseId, policy.now);
    }
    await tx.query(
      `INSERT INTO alerts (id, source, source_uid, fingerprint, time, severity_id, title, rule_name, rule_uid, observables, context,
        count, first_seen, last_seen, received_at, last_received_at, case_id, suppressed_by, status, raw, raw_truncated, occurrences, triage)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $5, $5, $13, $13, $14, $15, $16, $17, $18, $19, $20)`,
      [
        alert.id, alert.source, alert.sourceUid, fp, alert.time, alert.severity_id, alert.title, alert.rule?.name ?? null, alert.rule?.uid ?? null,
        // Read back as jsonb (entity search, top entities), which refuses the escape \u0000.
        JSON.stringify(alert.observables, (_k, v: unknown) => (typeof v === 'string' ? noNul(v) : v)), alert.cloud || alert.principal ? JSON.stringify({ cloud: alert.cloud, principal: alert.principal }) : null,
        count, now, caseId, rule?.id ?? null, item.status ?? null, item.raw, item.rawTruncated, item.occurrences ?? null, item.triage ? JSON.stringify(item.triage) : null,
      ]
    );
    if (caseId && !autoClosed) await this.queue(tx, caseId, alert.id, 'new', now, policy.traceparent, false);
    return {
      result: { alertId: alert.id, caseId, outcome: rule ? 'suppressed' : 'new', ...(rule ? { suppressedBy: rule.id } : {}), ...(autoClosed ? { autoClosed } : {}) },
      queued: caseId !== null && !autoClosed,
    };
  }

  private countRepeat(tx: pg.PoolClient, n: number, time: string, now: string, id: string) {
    return tx.query('UPDATE alerts SET count = count + $1, first_seen = least(first_seen, $2), last_seen = greatest(last_seen, $2), last_received_at = $3 WHERE id = $4', [n, time, now, id]);
  }

  /** A joining alert that outranks the case's highest lends it its priority and triage. */
  private touchCase(tx: pg.PoolClient, now: string, added: number, severity: number, caseId: string, triage = caseTriage('', undefined)) {
    return tx.query(
      `UPDATE cases SET last_alert_at = $1, alert_count = alert_count + $2, severity_id = greatest(severity_id, $3),
         triage = CASE WHEN $5::int > priority THEN $6 ELSE triage END, priority = greatest(priority, $5::int) WHERE id = $4`,
      [now, added, severity, caseId, triage.priority, triage.triage]
    );
  }

  /**
   * An outbox row. Its case's row is locked first (a new alert has already updated or inserted
   * it): outbox numbers are handed out when drawn, not when committed, so two replicas writing
   * to one case must take turns, or a case could be sent a later number before an earlier one
   * committed — and would then skip the earlier one as already seen.
   */
  private async queue(tx: pg.PoolClient, caseId: string, alertId: string, kind: 'new' | 'resolved', now: string, trace: string | undefined, lockCase: boolean) {
    if (lockCase) await tx.query('SELECT 1 FROM cases WHERE id = $1 FOR UPDATE', [caseId]);
    await tx.query('INSERT INTO outbox (case_id, alert_id, kind, created_at, trace) VALUES ($1, $2, $3, $4, $5)', [caseId, alertId, kind, now, trace ?? null]);
  }

  private async touchEntity(tx: pg.PoolClient, entity: string, caseId: string, now: Date): Promise<void> {
    if (!this.entities.due(entity, caseId, now.getTime())) return;
    await tx.query(
      'INSERT INTO case_entities (entity, case_id, last_seen) VALUES ($1, $2, $3) ON CONFLICT (entity, case_id) DO UPDATE SET last_seen = excluded.last_seen',
      [entity, caseId, now.toISOString()]
    );
  }

  private async recordHits(tx: pg.PoolClient, id: string, n: number, now: Date): Promise<void> {
    const row = (await tx.query<{ rule: string }>('SELECT rule FROM suppressions WHERE id = $1 FOR UPDATE', [id])).rows[0];
    if (!row) return; // a configuration rule: counted in memory by the rule set
    const rule = JSON.parse(row.rule) as SuppressionRule;
    rule.hits += n;
    rule.lastHitAt = now.toISOString();
    await tx.query('UPDATE suppressions SET rule = $2 WHERE id = $1', [id, JSON.stringify(rule)]);
  }
}
