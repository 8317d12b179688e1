// Runs in the Temporal sandbox: no I/O, no Node APIs, no environment access.
// The public names of Riposte's workflows: task queue, messages, inputs, workflow IDs.
// The API imports these too, so client and workflow cannot disagree on a name.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { NativeAlert } from '../core/alert.ts';
import type { Approval, ApprovalDecision, PlaybookView } from '../core/case.ts';

export const DEFAULT_TASK_QUEUE = 'riposte';

/** The whole case as the analyst sees it. */
export const playbookViewQuery = defineQuery<PlaybookView>('playbookViewQuery');

export interface ApprovalUpdateInput {
  approvalId: string;
  decision: ApprovalDecision;
  comment?: string;
  /** Who decided (the API fills it from the caller's token, never from the request body). */
  actor: string;
}

/** An analyst's decision on a pending approval. Validated before it enters history. */
export const approvalUpdate = defineUpdate<Approval, [ApprovalUpdateInput]>('approvalUpdate');

/** Failure types the approval validator raises; the API maps them to 404 and 409. */
export const ApprovalErrorType = {
  notFound: 'ApprovalNotFoundError',
  notPending: 'ApprovalNotPendingError',
} as const;

export interface PlaybookSettings {
  /** How long an approval waits before escalating, e.g. "30m". */
  approvalTimeout: string;
  /** What the playbook does when nobody decides in time. */
  onApprovalTimeout: 'contain' | 'none';
}

export interface PlaybookInput {
  caseId: string;
  alert: NativeAlert;
  settings: PlaybookSettings;
}

// ---- Cases --------------------------------------------------------------------------------

export interface CaseSettings extends PlaybookSettings {
  /** A case with no running playbook and no new alert for this long ends, e.g. "1h". */
  idleTimeout: string;
}

export interface CaseInput {
  caseId: string;
  settings: CaseSettings;
  /** History events after which the case continues as new (default 2,000; Temporal suggests ≤ 4,096). */
  historyBudget?: number;
  /** State handed over by continue-as-new. */
  carried?: CaseState;
}

export interface CaseState {
  /** The highest outbox sequence number handled: lower ones are re-deliveries and are ignored. */
  lastSeq: number;
  alerts: number;
  resolved: number;
  /** Playbooks this case started, by workflow ID. */
  playbooks: Record<string, 'running' | 'done'>;
  runs: number;
}

/**
 * One alert (or news about one) from the alert store's outbox, in sequence order. The alert
 * itself travels only when a route may start a playbook for it; otherwise its id is enough, and
 * the case's history stays small however many alerts it gathers.
 */
export interface CaseAlertItem {
  seq: number;
  kind: 'new' | 'resolved';
  alertId?: string;
  alert?: NativeAlert;
}

/** Alerts reach a case in coalesced batches: at most a few signals a second, whatever the alert rate. */
export const alertsSignal = defineSignal<[{ items: CaseAlertItem[] }]>('alertsSignal');

/** A playbook tells its case it has ended. */
export const playbookFinishedSignal = defineSignal<[{ workflowId: string; status: string }]>('playbookFinishedSignal');

export const caseStateQuery = defineQuery<CaseState>('caseStateQuery');

export function caseWorkflowId(caseId: string): string {
  return `case-${caseId}`;
}

export const Playbook = { suspectedC2: 'suspected-c2' } as const;
export type Playbook = (typeof Playbook)[keyof typeof Playbook];

/** A playbook's workflow ID derives from its case, so a re-sent alert cannot start it twice. */
export function playbookWorkflowId(playbook: Playbook, caseId: string): string {
  return `${playbook}-${caseId}`;
}
