// Runs in the Temporal sandbox: no I/O, no Node APIs, no environment access.
// The public names of Riposte's workflows: task queue, messages, inputs, workflow IDs.
// The API imports these too, so client and workflow cannot disagree on a name.
import { defineQuery, defineSignal, defineUpdate, workflowInfo } from '@temporalio/workflow';
import type { NativeAlert } from '../core/alert.ts';
import type { ActionRecord, Approval, ApprovalDecision, PlaybookView } from '../core/case.ts';

export const DEFAULT_TASK_QUEUE = 'riposte';

/**
 * Activities that change hosts, networks or cloud accounts, or read raw disks, run on their own
 * task queue beside the main one (`riposte` → `riposte-privileged`), so a deployment can give
 * only that worker the capabilities and credentials they need.
 */
export function privilegedTaskQueue(taskQueue: string): string {
  return `${taskQueue}-privileged`;
}

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
  /** This person may not approve it: they asked for it, or they already gave their approval (four-eyes). */
  notAllowed: 'ApprovalNotAllowedError',
} as const;

/** The settings of suspected-c2 version 1 (runs started before playbooks declared their own). */
export interface PlaybookSettings {
  /** How long an approval waits before escalating, e.g. "30m". */
  approvalTimeout: string;
  /** What the playbook does when nobody decides in time. */
  onApprovalTimeout: 'contain' | 'none';
}

/** A dry run: every side effect recorded instead of taken, approvals answered as `approvals` says. */
export interface DryRunOptions {
  approvals: 'approve' | 'reject' | 'timeout';
}

export interface PlaybookInput {
  caseId: string;
  alert: NativeAlert;
  /**
   * Overrides of the playbook's settings for this run (tests, dry runs); everything else comes
   * from the worker's configuration, read once when the run starts.
   */
  settings?: Record<string, string>;
  /** 1 for the first run of this playbook in the case, 2 for the next … */
  run?: number;
  dryRun?: DryRunOptions;
  /** Indicator keys earlier runs handled: a run the case starts for what they left does not redo them. */
  handledBefore?: string[];
  /** The person who started this run (an analyst's re-run): they may not approve what it asks. */
  requestedBy?: string;
}

/** Later alerts of the case that this playbook's route matches, while it runs: its scope grows. */
export const playbookAlertsSignal = defineSignal<[{ alerts: NativeAlert[] }]>('playbookAlertsSignal');

/** A playbook in the catalog, as GET /v1/playbooks shows it. */
export interface PlaybookInfo {
  name: string;
  title: string;
  version: number;
  workflowType: string;
  description: string;
  route: string;
  settings: Array<{ name: string; env: string; default: string; description: string; choices?: readonly string[] }>;
  approvals: Array<{ id: string; description: string }>;
  sideEffects: string[];
}

/** The Temporal Schedule that runs the IOC sweep (iocSweepPlaybook) every RIPOSTE_SWEEP_EVERY. */
export const SWEEP_SCHEDULE_ID = 'riposte-ioc-sweep';

/** Answers the playbook catalog from the worker's own code: the API never disagrees with it. */
export const PLAYBOOK_CATALOG_WORKFLOW = 'playbookCatalogWorkflow';

// ---- Undo ---------------------------------------------------------------------------------

export interface UndoActionInput {
  caseId: string;
  action: ActionRecord;
  /** Who asked (the API fills it from the caller's token). */
  actor: string;
  comment?: string;
}

export interface UndoActionResult {
  actionId: string;
  status: 'undone' | 'undo_failed';
  description: string;
  at: string;
  by: string;
  simulated: boolean;
}

export const UNDO_ACTION_WORKFLOW = 'undoActionWorkflow';

export const SLA_BREACH_WORKFLOW = 'slaBreachWorkflow';

/** A missed service level, as the API's SLA watch saw it. */
export interface SlaBreachInput {
  caseId: string;
  kind: 'acknowledge' | 'contain';
  title: string;
  severity: string;
  severity_id: number;
  /** When it was due. */
  due: string;
}

/** One escalation per case and missed target. */
export function slaBreachWorkflowId(caseId: string, kind: string): string {
  return `sla-${caseId}-${kind}`;
}

/** One undo per action: a second request finds the first. */
export function undoWorkflowId(caseId: string, actionId: string): string {
  return `undo-${caseId}-${actionId}`;
}

// ---- Cases --------------------------------------------------------------------------------

export interface CaseSettings extends Partial<PlaybookSettings> {
  /** A case with no running playbook and no new alert for this long ends, e.g. "1h". */
  idleTimeout: string;
}

export interface CaseInput {
  caseId: string;
  settings: CaseSettings;
  /** Settings every playbook run of this case gets as overrides (tests; normally unset: the worker's configuration decides). */
  playbookSettings?: Record<string, string>;
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
  /** Per playbook: its latest run, and the indicators its finished runs handled. */
  latest?: Record<string, { workflowId: string; run: number; handled: string[] }>;
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

/** A playbook tells its case it has ended, and which indicators it handled. */
/**
 * A run tells its case it ended: what it handled, and the alerts with indicators it left (past its
 * rounds or bounds, or arrived while it reported), which the case gives to a new run.
 */
export const playbookFinishedSignal = defineSignal<[{ workflowId: string; status: string; playbook?: string; handled?: string[]; leftovers?: NativeAlert[] }]>('playbookFinishedSignal');

export const caseStateQuery = defineQuery<CaseState>('caseStateQuery');

/** An analyst runs a playbook again for a case (after fixing an integration, say). */
export interface RerunPlaybookInput {
  playbook: string;
  /** The case's alerts (the API's oldest, bounded): the run starts with the first its route matches; the others it matches join it. */
  alerts: NativeAlert[];
  /** Who asked: recorded on the run, and they may not approve what it asks. */
  requestedBy: string;
  /** The highest run number of this playbook the case record knows (a case workflow started afresh knows none). */
  after: number;
}

export interface RerunPlaybookResult {
  workflowId: string;
  run: number;
  /** The alert the run starts with. */
  alertId: string;
  /** Alerts joining it. */
  joined: number;
}

/** Validated before it enters history: the API maps the failures to 404, 409 and 422. */
export const rerunPlaybookUpdate = defineUpdate<RerunPlaybookResult, [RerunPlaybookInput]>('rerunPlaybookUpdate');

export const RerunErrorType = {
  unknownPlaybook: 'UnknownPlaybookError',
  /** None of the given alerts is one the playbook's route takes. */
  noMatchingAlert: 'NoMatchingAlertError',
  /** A run of this playbook is going in the case. */
  running: 'RunInProgressError',
} as const;

export function caseWorkflowId(caseId: string): string {
  return `case-${caseId}`;
}

/**
 * A playbook's workflow ID derives from its case (and run), so a re-sent alert cannot start it
 * twice: `suspected-c2-cs_…` for the first run, `suspected-c2-cs_…-run2` for the next.
 */
export function playbookWorkflowId(playbook: string, caseId: string, run = 1): string {
  return run > 1 ? `${playbook}-${caseId}-run${run}` : `${playbook}-${caseId}`;
}

/** `${type}:${value}`: how a run remembers the indicators it handled. */
export function indicatorKey(o: { type: string; value: string }): string {
  return `${o.type}:${o.value}`;
}

/**
 * The memo that starts a workflow without the tracing interceptors (workflows/interceptors.ts):
 * `{ riposteUntraced: true }`, set when it starts and never changed. Stable: in histories.
 */
export const UNTRACED_MEMO = 'riposteUntraced';

/** In a workflow: whether it was started untraced (its memo, fixed at start). */
export function startedUntraced(): boolean {
  return workflowInfo().memo?.[UNTRACED_MEMO] === true;
}

/** The memo of a workflow started untraced (none when tracing). */
export function untracedMemo(untraced: boolean | undefined): { memo?: Record<string, unknown> } {
  return untraced ? { memo: { [UNTRACED_MEMO]: true } } : {};
}
