// The alert store: where every accepted alert is committed before it is acknowledged.
// Narrow on purpose, and async, so a PostgreSQL implementation can sit beside the SQLite one.
import type { NativeAlert } from '../core/alert.ts';
import type { CaseRecord, CaseVerdict } from '../core/case.ts';

export type { CaseVerdict };
import type { SuppressionRule } from '../domain/suppression.ts';
import type { CaseTriage, TriageAssessment } from '../core/triage.ts';

export type { CaseTriage, TriageAssessment };

export interface IngestItem {
  alert: NativeAlert;
  /** The item as the source sent it (JSON text), bounded. */
  raw: string;
  rawTruncated: boolean;
  /** The source's own occurrence count, when it keeps one (GuardDuty `service.count`). */
  occurrences?: number;
  /** Firing or resolved, for sources that say (Alertmanager). */
  status?: 'firing' | 'resolved';
  /** How the triage learner judged it on arrival; its case takes the highest priority of its alerts. */
  triage?: TriageAssessment;
}

/**
 * new: a new alert; duplicate: this very alert was already accepted (same source id);
 * deduplicated: a repeat of a recent alert (same fingerprint), counted on it;
 * updated: the source re-sent it with news (a higher count, resolved); suppressed: a rule matched.
 */
export type IngestOutcome = 'new' | 'duplicate' | 'deduplicated' | 'updated' | 'suppressed';

export interface IngestResult {
  alertId: string;
  caseId: string | null;
  outcome: IngestOutcome;
  suppressedBy?: string;
  /**
   * Triage auto-close took it (RIPOSTE_TRIAGE_AUTO_CLOSE): its case was opened closed, as a false
   * positive by `auto-close`, or it joined such a case; no playbook was started for it.
   */
  autoClosed?: boolean;
}

export interface IngestPolicy {
  now: Date;
  dedupWindowMs: number;
  correlationWindowMs: number;
  /** The W3C traceparent of the request, kept with queued alerts so dispatch continues the trace. */
  traceparent?: string;
}

/**
 * A request kept for Idempotency-Key replays: its results and what the API needs to answer
 * them again (`context`, kept as it came), or — kept before 2026-12-01 — the answer itself.
 */
export type StoredRequest = { key: string; bodySha: string } & ({ results: IngestResult[]; context: unknown } | { status: number; body: unknown });

export interface RequestRecord {
  keys: string[];
  bodySha: string;
  /** What the API needs to render its answer again (plain data, kept as it is: the store may run in another thread). */
  context: unknown;
}

export interface StoredAlert extends NativeAlert {
  count: number;
  firstSeen: string;
  lastSeen: string;
  caseId: string | null;
  suppressedBy: string | null;
  status?: 'firing' | 'resolved';
  receivedAt: string;
  fingerprint: string;
  triage?: TriageAssessment;
}

export interface StoredCase extends CaseRecord {
  id: string;
  /** 0 when no alert of it was triaged (cases from before, or the learner off). */
  priority: number;
  triage?: CaseTriage;
}

/** A verdict with its case, for the triage learner. */
export interface KeptVerdict {
  caseId: string;
  verdict: CaseVerdict;
}

/** Which cases to list: newest first, after an optional cursor, narrowed by what the alert store knows. */
export interface CaseQuery {
  limit: number;
  /** Newest first (the default), or by triage priority, highest first (then newest). */
  sort?: 'newest' | 'priority';
  /**
   * A cursor: `<createdAt>|<caseId>` of the last case seen (or just a time: cases created before
   * it); sorted by priority, `<priority>|<createdAt>|<caseId>`.
   */
  before?: string;
  /** Created at or after / before. */
  since?: string;
  until?: string;
  /** The least severity_id. */
  severityMin?: number;
  /** An alert of the case came from this source. */
  source?: string;
  /** An alert of the case names this value (a host, an address, a domain, a user …). */
  entity?: string;
  /** Free text: in the title, or an entity of the case. */
  q?: string;
}

export interface AlertStats {
  /** Alerts received (each repeat counted on its alert: `occurrences` adds them up). */
  alerts: number;
  occurrences: number;
  bySource: Array<{ source: string; alerts: number }>;
  suppressed: number;
  bySuppression: Array<{ rule: string; alerts: number }>;
  topRules: Array<{ rule: string; alerts: number }>;
  topEntities: Array<{ entity: string; alerts: number }>;
}

export interface OutboxItem {
  seq: number;
  /** When the alert was committed (for the dispatch lag). */
  createdAt?: string;
  caseId: string;
  alertId: string;
  kind: 'new' | 'resolved';
  traceparent?: string;
}

export interface AlertStore {
  /**
   * Commits a batch of alerts in one transaction: suppression, dedup and correlation decided
   * inside it. With `request`, its answer is kept under its keys in the same transaction.
   */
  ingest(items: IngestItem[], policy: IngestPolicy, request?: RequestRecord): Promise<{ results: IngestResult[] }>;
  findRequest(key: string): Promise<StoredRequest | null>;

  getAlert(id: string): Promise<(StoredAlert & { raw?: string; rawTruncated?: boolean }) | null>;
  getCase(id: string): Promise<StoredCase | null>;
  caseAlerts(caseId: string, limit: number): Promise<StoredAlert[]>;
  /** Each case's first alert (one query for a page of cases). */
  firstAlerts(caseIds: string[]): Promise<StoredAlert[]>;
  listCases(query: CaseQuery): Promise<StoredCase[]>;
  setVerdict(caseId: string, verdict: CaseVerdict, suggestions: SuppressionRule[]): Promise<void>;
  /**
   * Undoes auto-close on a case it closed: clears its verdict and queues its alerts (at most
   * `limit`, oldest first) for dispatch, as if they had just arrived. Returns how many were queued
   * (0, changing nothing, when auto-close did not close it).
   */
  reopenAutoClosed(caseId: string, now: Date, limit: number): Promise<number>;
  /** Cases with a verdict whose last alert came at or after `since`, the newest verdicts last, at most `limit`. */
  verdictsSince(since: string, limit: number): Promise<KeptVerdict[]>;

  /** Cases with undispatched outbox rows, the longest waiting first. */
  pendingCases(): Promise<string[]>;
  /** A case's undispatched outbox rows, oldest first. */
  pendingForCase(caseId: string, limit: number): Promise<OutboxItem[]>;
  markDispatched(seqs: number[]): Promise<void>;
  /** Whether alerts of this case wait for dispatch (a read: takes no dispatch lease). */
  waitingForDispatch(caseId: string): Promise<boolean>;
  /**
   * Calls `listener` with the cases whose alerts another process sharing this store queued (API
   * replicas on one PostgreSQL database), so this one's dispatcher may send them at once. Optional:
   * a store only one process writes has nothing to tell.
   */
  watchQueued?(listener: (caseIds: string[]) => void): void;
  /** How many outbox rows wait for dispatch (kept in memory; cheap). */
  backlog(): number;
  countAlerts(): Promise<number>;
  alertsByIds(ids: string[]): Promise<StoredAlert[]>;
  /** What came in between two times: volumes by source, suppression, the most frequent rules and entities. */
  alertStats(since: string, until: string): Promise<AlertStats>;
  /** Alerts received at or after `since`, newest first, at most `limit`. */
  alertsSince(since: string, limit: number): Promise<StoredAlert[]>;

  /** The rules ingest applies from now on (configuration and API rules together). */
  setSuppressionRules(rules: SuppressionRule[]): Promise<void>;
  listSuppressions(): Promise<SuppressionRule[]>;
  saveSuppression(rule: SuppressionRule): Promise<void>;
  getSuppression(id: string): Promise<SuppressionRule | null>;

  /** Cases whose last alert came before `before`, oldest first, at most `limit` (for retention). */
  casesIdleSince(before: string, limit: number): Promise<string[]>;
  /** Deletes cases with their alerts (the case record's retention ended for them). */
  deleteCases(ids: string[]): Promise<number>;
  /** Drops idempotency records and correlation entries older than they can matter. */
  prune(now: Date, keep: { requestsMs: number; entitiesMs: number }): Promise<void>;
  close(): Promise<void>;
}
