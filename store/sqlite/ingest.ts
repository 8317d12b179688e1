// The ingest decisions as the alert store takes them, inside the transaction that commits each
// alert: this very alert again (a re-send, or news)? a known false positive? a repeat of a recent
// one? else new, joining the open case that shares an entity, or opening one. The rules
// themselves (fingerprints, entities, suppression matching) are domain/'s.
import { entityKeys, fingerprint } from '../../domain/entities.ts';
import { SuppressionMatcher, type SuppressionRule } from '../../domain/suppression.ts';
import type { IngestItem, IngestPolicy, IngestResult, RequestRecord } from '../types.ts';
import { autoCloseVerdict, caseTriage, closedByAutoClose, type AlertRow } from '../rows.ts';
import { ENTITY_REFRESH_MS, EntityRefresh } from '../entity-refresh.ts';
import type { Statements } from './statements.ts';


export interface IngestJob {
  items: IngestItem[];
  policy: IngestPolicy;
  request?: RequestRecord;
}

export type IngestOutput = { results: IngestResult[] };

export class IngestDecisions {
  /** The active suppression rules (the API's rule set keeps them current). */
  suppression = new SuppressionMatcher([]);
  readonly entities = new EntityRefresh();

  constructor(private readonly stmt: Statements) {}

  /** One request's items (run in a savepoint of the group's transaction). */
  runJob(job: IngestJob): { out: IngestOutput; added: number } {
    let added = 0;
    const results = job.items.map((item) => {
      const r = this.ingestOne(item, job.policy);
      if (r.queued) added += 1;
      return r.result;
    });
    const hits = new Map<string, number>();
    for (const r of results) if (r.suppressedBy && r.outcome !== 'duplicate') hits.set(r.suppressedBy, (hits.get(r.suppressedBy) ?? 0) + 1);
    for (const [id, n] of hits) this.recordHits(id, n, job.policy.now);
    if (job.request) {
      // Status 0: the results and the API's context, which it renders again on a replay.
      const kept = JSON.stringify({ results, context: job.request.context });
      for (const key of job.request.keys) this.stmt.insertRequest.run(key, job.request.bodySha, 0, kept, job.policy.now.toISOString());
    }
    return { out: { results }, added };
  }

  private ingestOne(item: IngestItem, policy: IngestPolicy): { result: IngestResult; queued: boolean } {
    const { alert } = item;
    const now = policy.now.toISOString();

    // 1. This very alert again (the source's own id): a re-send, or news about it.
    const own = this.stmt.own.get(alert.id, alert.source, alert.sourceUid);
    const known = own ?? this.stmt.uid.get(alert.source, alert.sourceUid);
    if (known) {
      const row = this.stmt.alert.get(known.alert_id) as AlertRow;
      const base = { alertId: row.id, caseId: row.case_id, ...(row.suppressed_by ? { suppressedBy: row.suppressed_by } : {}) };
      const more = item.occurrences !== undefined && known.occurrences !== null && item.occurrences > known.occurrences;
      const resolved = item.status === 'resolved' && known.status !== 'resolved';
      if (!more && !resolved) return { result: { ...base, outcome: 'duplicate' }, queued: false };
      if (more) this.stmt.countRepeat.run((item.occurrences as number) - (known.occurrences as number), alert.time, alert.time, now, row.id);
      if (resolved) this.stmt.setStatus.run('resolved', alert.time, now, row.id);
      if (own) this.stmt.updateOwn.run(item.occurrences ?? own.occurrences, row.id);
      else this.stmt.updateUid.run(item.occurrences ?? known.occurrences, item.status ?? known.status, alert.source, alert.sourceUid);
      const queued = resolved && row.case_id !== null;
      if (queued) this.stmt.insertOutbox.run(row.case_id, row.id, 'resolved', now, policy.traceparent ?? null);
      return { result: { ...base, outcome: 'updated' }, queued };
    }

    // 2. A known false positive? Stored and counted, never dispatched.
    const rule = this.suppression.match(alert, policy.now);
    const fp = fingerprint(alert);
    const count = Math.max(1, item.occurrences ?? 1);

    // 3. A repeat of a recent alert (same fingerprint, same suppression): counted on it.
    const repeat = this.stmt.repeatOf.get(fp, new Date(policy.now.getTime() - policy.dedupWindowMs).toISOString());
    if (repeat && (repeat.suppressed_by ?? undefined) === rule?.id) {
      this.stmt.countRepeat.run(count, alert.time, alert.time, now, repeat.id);
      this.stmt.insertUid.run(alert.source, alert.sourceUid, repeat.id, item.occurrences ?? null, item.status ?? null);
      if (repeat.case_id) {
        this.stmt.touchCase.run({ now, added: 0, severity: alert.severity_id, priority: 0, triage: null, caseId: repeat.case_id });
        for (const e of entityKeys(alert.observables)) this.touchEntity(e, repeat.case_id, policy.now);
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
      caseId = this.correlate(entities, since);
      const triage = caseTriage(alert.id, item.triage);
      if (caseId) {
        this.stmt.touchCase.run({ now, added: 1, severity: alert.severity_id, ...triage, caseId });
        autoClosed = Boolean(item.triage?.autoClose) && closedByAutoClose(this.stmt.caseVerdict.get(caseId)?.verdict);
      } else {
        caseId = `cs_${alert.id.slice(3)}`;
        autoClosed = Boolean(item.triage?.autoClose);
        this.stmt.insertCase.run(caseId, alert.title, alert.severity_id, now, now, triage.priority, triage.triage, autoClosed && item.triage ? autoCloseVerdict(item.triage, now) : null);
      }
      for (const e of entities) this.touchEntity(e, caseId, policy.now);
    }
    this.stmt.insertAlert.run({
      id: alert.id,
      source: alert.source,
      source_uid: alert.sourceUid,
      fingerprint: fp,
      time: alert.time,
      severity_id: alert.severity_id,
      title: alert.title,
      rule_name: alert.rule?.name ?? null,
      rule_uid: alert.rule?.uid ?? null,
      observables: JSON.stringify(alert.observables),
      context: alert.cloud || alert.principal ? JSON.stringify({ cloud: alert.cloud, principal: alert.principal }) : null,
      count,
      now,
      case_id: caseId,
      suppressed_by: rule?.id ?? null,
      status: item.status ?? null,
      raw: item.raw,
      raw_truncated: item.rawTruncated ? 1 : 0,
      occurrences: item.occurrences ?? null,
      triage: item.triage ? JSON.stringify(item.triage) : null,
    });
    if (caseId && !autoClosed) this.stmt.insertOutbox.run(caseId, alert.id, 'new', now, policy.traceparent ?? null);
    return {
      result: { alertId: alert.id, caseId, outcome: rule ? 'suppressed' : 'new', ...(rule ? { suppressedBy: rule.id } : {}), ...(autoClosed ? { autoClosed } : {}) },
      queued: caseId !== null && !autoClosed,
    };
  }

  /** The oldest case that saw one of these entities since `since`, if any. */
  private correlate(entities: string[], since: string): string | null {
    let best: { id: string; created_at: string } | undefined;
    for (const e of entities) {
      for (const c of this.stmt.correlate.all(e, since)) if (!best || c.created_at < best.created_at) best = c;
    }
    return best?.id ?? null;
  }

  /** Marks an entity as seen in a case now — written at most once per ENTITY_REFRESH_MS. */
  private touchEntity(entity: string, caseId: string, now: Date): void {
    if (this.entities.due(entity, caseId, now.getTime())) this.stmt.upsertEntity.run(entity, caseId, now.toISOString());
  }

  private recordHits(id: string, n: number, now: Date): void {
    const row = this.stmt.suppression.get(id);
    if (!row) return; // a configuration rule: counted in memory by the rule set
    const rule = JSON.parse(row.rule) as SuppressionRule;
    rule.hits += n;
    rule.lastHitAt = now.toISOString();
    this.stmt.saveSuppression.run(id, JSON.stringify(rule));
  }

}
