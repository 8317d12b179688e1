// A case as analysts see it, put together from the alert store (the case, its alerts, its
// verdict) and the case's playbook workflows (findings, approvals, actions, timelines); and the
// analyst's decisions on it.
import {
  isGrpcServiceError,
  ServiceError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { ObservableType } from '../core/alert.ts';
import type { ActionRecord, CaseStatus, CaseVerdict, CaseView, PlaybookSummary, PlaybookView } from '../core/case.ts';
import type { AlertStore, StoredAlert } from '../store/types.ts';
import {
  ApprovalErrorType,
  UNDO_ACTION_WORKFLOW,
  approvalUpdate,
  caseWorkflowId,
  playbookViewQuery,
  undoWorkflowId,
  type UndoActionInput,
  type UndoActionResult,
} from '../workflows/definitions.ts';
import { SuppressionRules } from './ingest/rules.ts';
import type { SuppressionRule } from './ingest/suppression.ts';
import { HttpError } from './problem.ts';

/** gRPC statuses a query ends with when no worker answers it: */
// CANCELLED and DEADLINE_EXCEEDED (no poller took the query in time: the server cancels the call
// when the deadline passes), RESOURCE_EXHAUSTED, FAILED_PRECONDITION, UNAVAILABLE
const NO_WORKER_ANSWER = new Set([1, 4, 8, 9, 14]);
const QUERY_DEADLINE_MS = 5000;
const CLOSED_BADLY = new Set(['FAILED', 'TERMINATED', 'TIMED_OUT', 'CANCELLED']);
const ALERTS_SHOWN = 200;
/** Playbook runs read per case, at most. */
const RUNS_LOOKED_FOR = 50;
/** An undo answers 200 when it finishes within this; 202 (still undoing) otherwise. */
const UNDO_WAIT_MS = 20_000;

export interface CaseServiceDeps {
  client: Client;
  store: AlertStore;
  rules: SuppressionRules;
  /** The main task queue (undo runs there; its driver call runs on the privileged one). */
  taskQueue: string;
}

/** An action as the case shows it: where it came from, and whether it has been undone. */
type CaseAction = ActionRecord & { workflowId: string };

interface PlaybookRun {
  summary: PlaybookSummary;
  view: PlaybookView;
}

export class CaseService {
  constructor(private readonly d: CaseServiceDeps) {}

  async read(caseId: string): Promise<CaseView> {
    const stored = await this.d.store.getCase(caseId);
    if (!stored) throw new HttpError(404, `no case ${caseId}`);
    const [alerts, caseRunning, runs] = await Promise.all([
      this.d.store.caseAlerts(caseId, ALERTS_SHOWN),
      this.caseWorkflowRunning(caseId),
      this.playbookRuns(caseId),
    ]);
    const views = runs.map((r) => r.view);
    const first = views[0];
    const approvals = runs.flatMap((r) => r.view.approvals.map((a) => ({ ...a, workflowId: r.summary.workflowId })));
    const timeline = [
      ...alerts.map((a) => ({
        at: a.receivedAt,
        step: 'alert',
        message: `${a.source} alert ${a.id}: ${a.title}${a.count > 1 ? ` (×${a.count})` : ''}${a.status === 'resolved' ? ' — resolved' : ''}`,
      })),
      ...views.flatMap((v) => v.timeline),
    ].sort((a, b) => a.at.localeCompare(b.at));
    const containment = views.find((v) => v.containment)?.containment ?? null;
    const actions = await this.withUndoState(caseId, runs.flatMap((r) => (r.view.actions ?? []).map((a) => ({ ...a, workflowId: r.summary.workflowId }))));
    return {
      caseId,
      status: caseStatus(runs, approvals, Boolean(containment), caseRunning || this.d.store.backlog() > 0),
      title: stored.title,
      severity_id: stored.severity_id,
      createdAt: stored.createdAt,
      lastAlertAt: stored.lastAlertAt,
      alertCount: stored.alertCount,
      entities: stored.entities,
      ...(stored.verdict ? { verdict: stored.verdict } : {}),
      alerts: alerts.map(({ id, source, title, severity_id, time, count, receivedAt, status }) => ({ id, source, title, severity_id, time, count, receivedAt, ...(status ? { status } : {}) })),
      playbooks: runs.map((r) => r.summary),
      alertIds: alerts.map((a) => a.id),
      host: first?.host ?? hostOf(alerts),
      remote: first?.remote ?? remoteOf(alerts),
      enrichment: views.flatMap((v) => v.enrichment),
      ...(first?.assessment ? { assessment: first.assessment } : {}),
      ticket: views.find((v) => v.ticket)?.ticket ?? null,
      approvals,
      pendingApprovals: approvals.filter((a) => a.status === 'pending'),
      containment,
      scope: unique(views.flatMap((v) => v.scope ?? []), (s) => `${s.type}:${s.value}`),
      indicators: unique(views.flatMap((v) => v.indicators ?? []), (i) => `${i.type}:${i.value}`),
      sightings: views.flatMap((v) => v.sightings ?? []),
      evidence: views.flatMap((v) => v.evidence ?? []),
      actions,
      skipped: unique(views.flatMap((v) => v.skipped ?? []), (s) => s.step),
      timeline,
      startedAt: stored.createdAt,
      ...(first?.closedAt ? { closedAt: first.closedAt } : {}),
    };
  }

  /** Records a decision with the playbook that asked; 404/409 come from its validator. */
  async decide(caseId: string, approvalId: string, input: { decision: 'approve' | 'reject'; comment?: string; actor: string }) {
    const view = await this.read(caseId);
    const approval = view.approvals.find((a) => a.id === approvalId);
    if (!approval) throw new HttpError(404, `no approval ${approvalId} in case ${caseId}`);
    if (approval.status !== 'pending') throw new HttpError(409, `approval ${approvalId} is already ${approval.status}`);
    try {
      return await this.d.client.workflow
        .getHandle(approval.workflowId)
        .executeUpdate(approvalUpdate, { args: [{ approvalId, decision: input.decision, comment: input.comment, actor: input.actor }] });
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) {
        const type = (err.cause as { type?: string } | undefined)?.type;
        if (type === ApprovalErrorType.notFound) throw new HttpError(404, err.cause?.message ?? 'no such approval');
        if (type === ApprovalErrorType.notPending) throw new HttpError(409, err.cause?.message ?? 'no longer pending');
      }
      // The playbook ended between our read and the update.
      if (err instanceof WorkflowNotFoundError) throw new HttpError(409, `approval ${approvalId} is no longer pending: the playbook has ended`);
      throw err;
    }
  }

  /**
   * An analyst's verdict on the case. A false positive yields suggested suppression rules — one
   * per detection rule and host in the case — for review; they do nothing until activated.
   */
  async setVerdict(caseId: string, verdict: Omit<CaseVerdict, 'at'>): Promise<{ verdict: CaseVerdict; suggestions: SuppressionRule[]; undoable: CaseAction[] }> {
    const stored = await this.d.store.getCase(caseId);
    if (!stored) throw new HttpError(404, `no case ${caseId}`);
    const full: CaseVerdict = { ...verdict, at: new Date().toISOString() };
    const suggestions: SuppressionRule[] = [];
    if (verdict.verdict === 'false_positive') {
      const existing = await this.d.rules.list();
      const seen = new Set(existing.filter((r) => r.status !== 'revoked').map((r) => JSON.stringify(r.match)));
      for (const a of await this.d.store.caseAlerts(caseId, 1000)) {
        const ours = a.observables.filter((o) => o.role !== 'dst');
        const host = (ours.find((o) => o.type === 'hostname') ?? ours.find((o) => o.type === 'ip'))?.value;
        const rule = a.rule?.name;
        if (!host || !rule) continue;
        const match = { kind: 'rule_host' as const, rule, host };
        if (seen.has(JSON.stringify(match))) continue;
        seen.add(JSON.stringify(match));
        suggestions.push(
          SuppressionRules.newRule({ match, reason: `false positive on case ${caseId}: ${verdict.comment ?? 'no comment'}`, author: verdict.by, status: 'suggested', fromCase: caseId })
        );
      }
    }
    await this.d.store.setVerdict(caseId, full, suggestions);
    await this.d.rules.refresh();
    // A false positive offers to undo what the playbooks did (reading them needs a worker; without one, none are offered).
    const undoable = verdict.verdict === 'false_positive' ? await this.read(caseId).then((v) => v.actions.filter((a) => a.status === 'applied' && a.undo), () => []) : [];
    return { verdict: full, suggestions, undoable };
  }

  private async caseWorkflowRunning(caseId: string): Promise<boolean> {
    try {
      return (await this.d.client.workflow.getHandle(caseWorkflowId(caseId)).describe()).status.name === 'RUNNING';
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    }
  }

  /**
   * Every playbook run this case started: its case workflow's children, from Temporal's
   * visibility (no worker needed to find them; reading each one still replays it on a worker).
   */
  private async playbookRuns(caseId: string): Promise<PlaybookRun[]> {
    const found: Array<{ workflowId: string; state: string; startTime: Date }> = [];
    for await (const w of this.d.client.workflow.list({ query: `ParentWorkflowId = "${caseWorkflowId(caseId)}"` })) {
      found.push({ workflowId: w.workflowId, state: w.status.name, startTime: w.startTime });
      if (found.length >= RUNS_LOOKED_FOR) break;
    }
    found.sort((a, b) => a.startTime.getTime() - b.startTime.getTime());
    return Promise.all(
      found.map(async ({ workflowId, state }) => {
        const view = await this.query(this.d.client.workflow.getHandle(workflowId), caseId);
        const status: CaseStatus = CLOSED_BADLY.has(state) ? 'failed' : view.status;
        return { summary: { workflowId, playbook: view.playbook ?? playbookOf(workflowId, caseId), status }, view: { ...view, status } };
      })
    );
  }

  /** Each action's undo, from its undo workflow (undoing, undone or failed). */
  private async withUndoState(caseId: string, actions: CaseAction[]): Promise<CaseAction[]> {
    return Promise.all(
      actions.map(async (a) => {
        const handle = this.d.client.workflow.getHandle<(i: UndoActionInput) => Promise<UndoActionResult>>(undoWorkflowId(caseId, a.id));
        let state: string;
        try {
          state = (await handle.describe()).status.name;
        } catch (err) {
          if (err instanceof WorkflowNotFoundError) return a;
          throw err;
        }
        if (state === 'RUNNING') return { ...a, status: 'undoing' as const };
        return { ...a, ...(await undoOutcome(handle)) };
      })
    );
  }

  /**
   * Undoes one action through its driver (simulated actions: recorded only). At most once: the
   * undo's workflow ID derives from the case and the action, so a second request answers 409.
   */
  async undo(caseId: string, actionId: string, input: { actor: string; comment?: string }): Promise<{ action: CaseAction; finished: boolean }> {
    const view = await this.read(caseId);
    const action = view.actions.find((a) => a.id === actionId);
    if (!action) throw new HttpError(404, `no action ${actionId} in case ${caseId}`);
    // A failed undo may be asked again; an undone (or undoing) one may not.
    if (action.status !== 'applied' && action.status !== 'undo_failed') throw new HttpError(409, `action ${actionId} is already ${action.status.replace('_', ' ')}`);
    if (!action.undo) throw new HttpError(409, `action ${actionId} (${action.op}) has no undo`);
    const { workflowId: _from, undone: _before, ...rest } = action;
    const record: ActionRecord = { ...rest, status: 'applied' };
    let handle;
    try {
      handle = await this.d.client.workflow.start<(i: UndoActionInput) => Promise<UndoActionResult>>(UNDO_ACTION_WORKFLOW, {
        taskQueue: this.d.taskQueue,
        workflowId: undoWorkflowId(caseId, actionId),
        // Once undone, never again; after a failure (the workflow failed), a new attempt.
        workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
        memo: { actor: input.actor },
        args: [{ caseId, action: record, actor: input.actor, ...(input.comment ? { comment: input.comment } : {}) }],
      });
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) {
        // An undo that failed before failed undos could be retried ended as a result, not a failure.
        if (action.status === 'undo_failed') throw new HttpError(409, `the undo of ${actionId} failed and cannot be run again from Riposte; undo it by hand (${action.undone?.description ?? 'see the case'})`);
        throw new HttpError(409, `action ${actionId} is already being undone (or was)`);
      }
      throw err;
    }
    const result = await Promise.race([undoOutcome(handle), new Promise<undefined>((r) => setTimeout(() => r(undefined), UNDO_WAIT_MS).unref())]);
    if (!result) return { action: { ...action, status: 'undoing' }, finished: false };
    return { action: { ...action, ...result }, finished: true };
  }

  private async query(handle: WorkflowHandle, caseId: string): Promise<PlaybookView> {
    try {
      return await this.d.client.withDeadline(Date.now() + QUERY_DEADLINE_MS, () => handle.query(playbookViewQuery));
    } catch (err) {
      // Reading a playbook replays it on a worker; with none running there is no answer yet.
      const cause = err instanceof ServiceError ? err.cause : err;
      if (isGrpcServiceError(cause) && NO_WORKER_ANSWER.has(cause.code)) {
        throw new HttpError(503, `case ${caseId} cannot be read right now: no worker answered for it (is the worker running?)`, undefined, { 'Retry-After': '5' });
      }
      throw err;
    }
  }
}

/** How an ended undo workflow came out: undone, or failed and why (a failed undo's workflow fails). */
async function undoOutcome(handle: WorkflowHandle<(i: UndoActionInput) => Promise<UndoActionResult>>): Promise<Pick<CaseAction, 'status' | 'undone'>> {
  try {
    const r = await handle.result();
    return { status: r.status, undone: { at: r.at, by: r.by, description: r.description } };
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw err;
    const d = await handle.describe();
    return { status: 'undo_failed', undone: { at: (d.closeTime ?? new Date()).toISOString(), by: String(d.memo?.actor ?? ''), description: err.cause?.message ?? err.message } };
  }
}

/** failed > awaiting approval > running > contained > closed (no run has been started yet: running while the case is). */
function caseStatus(runs: PlaybookRun[], approvals: Array<{ status: string }>, contained: boolean, live: boolean): CaseStatus {
  if (runs.some((r) => r.summary.status === 'failed')) return 'failed';
  if (approvals.some((a) => a.status === 'pending')) return 'awaiting_approval';
  if (runs.some((r) => r.summary.status === 'running')) return 'running';
  if (contained) return 'contained';
  // Every playbook run has ended: the response is over, though the case still takes alerts for a
  // while (a later one can start another run). With no run yet, alerts may still be on their way.
  if (runs.length > 0) return 'closed';
  return live ? 'running' : 'closed';
}

/** suspected-c2-cs_…-run2 → suspected-c2 */
function playbookOf(workflowId: string, caseId: string): string {
  return workflowId.slice(0, workflowId.indexOf(`-${caseId}`)) || workflowId;
}

function unique<T>(items: T[], key: (t: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((i) => (seen.has(key(i)) ? false : (seen.add(key(i)), true)));
}

function hostOf(alerts: StoredAlert[]): { hostname?: string; ip?: string } {
  const src = alerts.flatMap((a) => a.observables.filter((o) => o.role === 'src'));
  const find = (t: ObservableType) => src.find((o) => o.type === t)?.value;
  return { ...(find('hostname') ? { hostname: find('hostname') } : {}), ...(find('ip') ? { ip: find('ip') } : {}) };
}

function remoteOf(alerts: StoredAlert[]): { ips: string[]; domains: string[] } {
  const dst = alerts.flatMap((a) => a.observables.filter((o) => o.role === 'dst'));
  return {
    ips: [...new Set(dst.filter((o) => o.type === 'ip').map((o) => o.value))],
    domains: [...new Set(dst.filter((o) => o.type === 'domain').map((o) => o.value))],
  };
}
