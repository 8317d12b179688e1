// A case as analysts see it, put together from the alert store (the case, its alerts, its
// verdict) and the case's playbook workflows (findings, approvals, actions, timelines); and the
// analyst's decisions on it.
import {
  isGrpcServiceError,
  ServiceError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  WithStartWorkflowOperation,
  type Client,
  type WorkflowHandle,
  type WorkflowStartOptions,
} from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { NativeAlert, ObservableType } from '../core/alert.ts';
import type { caseWorkflow } from '../workflows/case.ts';
import { nativeAlert } from './ingest/dispatcher.ts';
import { randomUUID } from 'node:crypto';
import { CaseFact, caseHandling, foldRun, type CaseHandling, type StoredCaseEvent } from '../core/case-events.ts';
import type { ActionRecord, CaseStatus, CaseVerdict, CaseView, PlaybookSummary, PlaybookView, TimelineEntry } from '../core/case.ts';
import type { CaseRecordStore } from '../store/case-record.ts';
import { caseTimings, type CaseTimings } from '../core/timings.ts';
import { DEFAULT_SLA, parseSla, slaState, type SlaPolicy, type SlaState } from '../core/sla.ts';
import type { AlertStore, StoredAlert, StoredCase } from '../store/types.ts';
import {
  ApprovalErrorType,
  UNDO_ACTION_WORKFLOW,
  approvalUpdate,
  rerunPlaybookUpdate,
  RerunErrorType,
  undoWorkflowId,
  type RerunPlaybookResult,
  type UndoActionInput,
  type UndoActionResult,
} from '../workflows/definitions.ts';
import { SuppressionRules } from './ingest/rules.ts';
import type { SuppressionRule } from '../domain/suppression.ts';
import { HttpError } from './problem.ts';
import type { Triage } from './triage.ts';
import { AUTO_CLOSE_ACTOR } from '../core/triage.ts';

/** gRPC statuses a query ends with when no worker answers it: */
// CANCELLED and DEADLINE_EXCEEDED (no poller took the query in time: the server cancels the call
// when the deadline passes), RESOURCE_EXHAUSTED, FAILED_PRECONDITION, UNAVAILABLE
const NO_WORKER_ANSWER = new Set([1, 4, 8, 9, 14]);
/** A decision waits this long for the run to take it (and write it to the case record). */
const DECIDE_DEADLINE_MS = 5000;
const ALERTS_SHOWN = 200;
/** An undo answers 200 when it finishes within this; 202 (still undoing) otherwise. */
const UNDO_WAIT_MS = 20_000;
/** A re-run is offered the case's oldest alerts, this many (and this many bytes) at most. */
const RERUN_ALERTS = 50;
const RERUN_BYTES = 1024 * 1024;
/** A reopened auto-closed case sends this many of its alerts to its playbooks, at most. */
const REOPEN_ALERTS = 1000;

export interface CaseServiceDeps {
  client: Client;
  store: AlertStore;
  /** The case record: what playbooks and people did, read back for every case. */
  record: CaseRecordStore;
  rules: SuppressionRules;
  /** The main task queue (undo runs there; its driver call runs on the privileged one). */
  taskQueue: string;
  /** Service levels per severity (RIPOSTE_SLA); default DEFAULT_SLA. */
  sla?: SlaPolicy;
  /** How a case workflow starts (the dispatcher's way): a re-run starts one when the case's has ended. */
  caseStart?: CaseStart;
  /** The triage learner, told each verdict. */
  triage?: Pick<Triage, 'learn'>;
  /** Wakes the dispatcher for cases whose alerts were queued (a reopened auto-closed case). */
  onQueued?: (caseIds: string[]) => void;
}

export type CaseStart = (caseId: string, alerts: NativeAlert[]) => WorkflowStartOptions<typeof caseWorkflow>;

/** An action as the case shows it: where it came from, and whether it has been undone. */
type CaseAction = ActionRecord & { workflowId: string };

interface PlaybookRun {
  summary: PlaybookSummary;
  view: PlaybookView;
}

/** Each playbook run in the case record, folded back into its view, in the order they started. */
function playbookRuns(events: StoredCaseEvent[]): PlaybookRun[] {
  const byRun = new Map<string, StoredCaseEvent[]>();
  for (const e of events) if (e.run) byRun.set(e.run, [...(byRun.get(e.run) ?? []), e]);
  const runs: PlaybookRun[] = [];
  for (const [workflowId, list] of byRun) {
    const view = foldRun(list.sort((a, b) => (a.n ?? 0) - (b.n ?? 0)));
    if (view) runs.push({ summary: { workflowId, playbook: view.playbook, status: view.status }, view });
  }
  return runs.sort((a, b) => a.view.startedAt.localeCompare(b.view.startedAt));
}

/** Each action's undo, from the record: requested (undoing), then undone or failed — the latest says. */
function withUndoState(events: StoredCaseEvent[], actions: CaseAction[]): CaseAction[] {
  const latest = new Map<string, StoredCaseEvent>();
  for (const e of events) {
    if (e.kind === 'undo.requested' || e.kind === 'action.undone') latest.set(String(e.data.actionId), e);
  }
  return actions.map((a) => {
    const e = latest.get(a.id);
    if (!e) return a;
    if (e.kind === 'undo.requested') return { ...a, status: 'undoing' as const };
    const r = e.data as unknown as UndoActionResult;
    return { ...a, status: r.status, undone: { at: r.at, by: r.by, description: r.description } };
  });
}

/** What people did to the case itself, for its timeline. */
function caseTimeline(events: StoredCaseEvent[]): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  for (const e of events) {
    const d = e.data as Record<string, string | undefined>;
    const comment = d.comment ? ` — "${d.comment}"` : '';
    const actor = e.actor ? { actor: e.actor } : {};
    if (e.kind === 'verdict.set') out.push({ at: e.at, step: 'verdict', message: `verdict: ${String(d.verdict).replace('_', ' ')} by ${e.actor}${comment}`, ...actor });
    if (e.kind === 'undo.requested') out.push({ at: e.at, step: 'undo', message: `undo of ${d.actionId} requested by ${e.actor}${comment}`, ...actor });
    if (e.kind === CaseFact.commented) out.push({ at: e.at, step: 'comment', message: `${e.actor}: ${d.text}`, ...actor });
    if (e.kind === CaseFact.assigned) out.push({ at: e.at, step: 'assign', message: d.assignee ? `assigned to ${d.assignee} by ${e.actor}` : `unassigned by ${e.actor}`, ...actor });
    if (e.kind === CaseFact.tagged) out.push({ at: e.at, step: 'tags', message: `tags${(e.data.add as string[] | undefined)?.length ? ` +${(e.data.add as string[]).join(', +')}` : ''}${(e.data.remove as string[] | undefined)?.length ? ` -${(e.data.remove as string[]).join(', -')}` : ''} by ${e.actor}`, ...actor });
    if (e.kind === CaseFact.closed) out.push({ at: e.at, step: 'close', message: `closed by ${e.actor}: ${d.resolution}`, ...actor });
    if (e.kind === CaseFact.rerun) out.push({ at: e.at, step: 'rerun', message: `${d.playbook} run ${e.data.run} started by ${e.actor}${comment}`, ...actor });
    if (e.kind === CaseFact.reopened) out.push({ at: e.at, step: 'reopen', message: `reopened by ${e.actor}${comment}`, ...actor });
    if (e.kind === 'sla.breached') out.push({ at: e.at, step: 'sla', message: `SLA missed: not ${d.kind === 'acknowledge' ? 'acknowledged' : 'contained'} by ${d.due}` });
    if (e.kind === 'action.undone') out.push({ at: e.at, step: 'undo', message: `${d.actionId}: ${d.status === 'undone' ? 'undone' : 'undo failed'} — ${d.description}`, ...actor });
  }
  return out;
}

/** What the case list shows of each case beside the alert store's columns. */
export interface CaseListState {
  status: CaseStatus;
  playbooks: string[];
  assignee?: string;
  tags: string[];
  pendingApprovals: number;
  sla: SlaState;
}

/** A case's due times and missed targets, from its record. */
function slaOf(policy: SlaPolicy, c: Pick<StoredCase, 'createdAt' | 'severity_id'>, h: CaseHandling, t: CaseTimings): SlaState {
  return slaState(policy, {
    createdAt: c.createdAt,
    severity_id: c.severity_id,
    ...(h.acknowledgedAt ? { acknowledgedAt: h.acknowledgedAt } : {}),
    ...(t.containMs !== undefined ? { containedAt: new Date(Date.parse(c.createdAt) + t.containMs).toISOString() } : {}),
    ...(h.resolution ? { closedAt: h.resolution.at } : {}),
  }, new Date());
}

export class CaseService {
  readonly sla: SlaPolicy;

  constructor(private readonly d: CaseServiceDeps) {
    this.sla = d.sla ?? (parseSla(DEFAULT_SLA) as { policy: SlaPolicy }).policy;
  }

  /**
   * A case from Riposte's own store: the alert store's case and alerts, and the facts its
   * playbook runs and people wrote to the case record. No workflow is asked: a case reads the
   * same with no worker running and after Temporal has dropped the runs' histories.
   */
  async read(caseId: string): Promise<CaseView> {
    const stored = await this.d.store.getCase(caseId);
    if (!stored) throw new HttpError(404, `no case ${caseId}`);
    const [alerts, waiting] = await Promise.all([this.d.store.caseAlerts(caseId, ALERTS_SHOWN), this.d.store.waitingForDispatch(caseId)]);
    const events = await this.d.record.events(caseId);
    const runs = playbookRuns(events);
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
      ...caseTimeline(events),
    ].sort((a, b) => a.at.localeCompare(b.at));
    const containment = views.find((v) => v.containment)?.containment ?? null;
    const actions = withUndoState(events, runs.flatMap((r) => (r.view.actions ?? []).map((a) => ({ ...a, workflowId: r.summary.workflowId }))));
    const handling = caseHandling(events);
    const timings = caseTimings({ createdAt: stored.createdAt, ...(alerts[0] ? { firstAlert: alerts[0] } : {}) }, events, handling);
    return {
      caseId,
      // The case's own: closed by an analyst, or its runs, its approvals, its alerts still waiting for dispatch.
      status: caseStatus(runs, handling, waiting),
      title: stored.title,
      severity_id: stored.severity_id,
      createdAt: stored.createdAt,
      lastAlertAt: stored.lastAlertAt,
      alertCount: stored.alertCount,
      entities: stored.entities,
      ...(stored.verdict ? { verdict: stored.verdict } : {}),
      priority: stored.priority,
      ...(stored.triage ? { triage: stored.triage } : {}),
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
      ...withoutFlag(handling),
      timings,
      sla: slaOf(this.sla, stored, handling, timings),
    };
  }

  /** A person's fact about the case itself (comment, assignment, tags, close, reopen). */
  async note(caseId: string, kind: string, actor: string, data: Record<string, unknown>): Promise<void> {
    if (!(await this.d.store.getCase(caseId))) throw new HttpError(404, `no case ${caseId}`);
    await this.d.record.append(caseId, [{ key: `${kind}:${randomUUID()}`, at: new Date().toISOString(), kind, actor, data }]);
  }

  /**
   * An analyst closes the case: its pending approvals are rejected (recorded, with why), then the
   * case reads closed — with the resolution — until someone reopens it. 409 when already closed.
   */
  async close(caseId: string, input: { resolution: string; actor: string }): Promise<{ view: CaseView; cancelled: string[] }> {
    const view = await this.read(caseId);
    if (view.resolution) throw new HttpError(409, `case ${caseId} is already closed (by ${view.resolution.by} at ${view.resolution.at})`);
    const cancelled = await this.cancelPending(view, `case closed by ${input.actor}: ${input.resolution}`, input.actor);
    await this.note(caseId, CaseFact.closed, input.actor, { resolution: input.resolution, ...(cancelled.length ? { cancelled } : {}) });
    return { view: await this.read(caseId), cancelled };
  }

  /**
   * Reopens a closed case. One that triage auto-close closed also loses auto-close's verdict, and
   * its alerts go to their playbooks as if they had just arrived.
   */
  async reopen(caseId: string, input: { comment?: string; actor: string }): Promise<CaseView> {
    const view = await this.read(caseId);
    if (!view.resolution) throw new HttpError(409, `case ${caseId} is not closed`);
    const requeued = view.verdict?.by === AUTO_CLOSE_ACTOR ? await this.d.store.reopenAutoClosed(caseId, new Date(), REOPEN_ALERTS) : 0;
    await this.note(caseId, CaseFact.reopened, input.actor, { ...(input.comment ? { comment: input.comment } : {}), ...(requeued ? { requeued } : {}) });
    if (requeued) this.d.onQueued?.([caseId]);
    return this.read(caseId);
  }

  /** Rejects every approval still waiting, saying why; returns the ids it settled. */
  private async cancelPending(view: CaseView, why: string, actor: string): Promise<string[]> {
    const settled: string[] = [];
    for (const a of view.pendingApprovals) {
      try {
        await this.decide(view.caseId, a.id, { decision: 'reject', comment: `cancelled — ${why}`, actor });
        settled.push(a.id);
      } catch (err) {
        // Decided or ended meanwhile: nothing is waiting any more. Without a worker: it stays pending, and the case says so.
        if (!(err instanceof HttpError) || err.status === 503) throw err;
      }
    }
    return settled;
  }

  /** Each case's own status and the playbooks that ran for it, for a page of the case list (three reads in all). */
  async states(cases: Array<Pick<StoredCase, 'id' | 'createdAt' | 'severity_id'>>): Promise<Map<string, CaseListState>> {
    const waiting = new Set(await this.d.store.pendingCases());
    const out = new Map<string, CaseListState>();
    const byId = new Map(cases.map((c) => [c.id, c]));
    for (const [caseId, events] of await this.d.record.eventsOfCases(cases.map((c) => c.id))) {
      const c = byId.get(caseId) as Pick<StoredCase, 'id' | 'createdAt' | 'severity_id'>;
      const runs = playbookRuns(events);
      const handling = caseHandling(events);
      const { assignee, tags } = handling;
      out.set(caseId, {
        status: caseStatus(runs, handling, waiting.has(caseId)),
        playbooks: [...new Set(runs.map((r) => r.view.playbook))],
        ...(assignee ? { assignee } : {}),
        tags,
        pendingApprovals: runs.flatMap((r) => r.view.approvals).filter((a) => a.status === 'pending').length,
        sla: slaOf(this.sla, c, handling, caseTimings({ createdAt: c.createdAt }, events, handling)),
      });
    }
    return out;
  }

  /** Records a decision with the playbook that asked; 404/409 come from its validator. */
  async decide(caseId: string, approvalId: string, input: { decision: 'approve' | 'reject'; comment?: string; actor: string }) {
    const view = await this.read(caseId);
    const approval = view.approvals.find((a) => a.id === approvalId);
    if (!approval) throw new HttpError(404, `no approval ${approvalId} in case ${caseId}`);
    if (approval.status !== 'pending') throw new HttpError(409, `approval ${approvalId} is already ${approval.status}`);
    try {
      const handle = this.d.client.workflow.getHandle(approval.workflowId);
      return await this.d.client.withDeadline(Date.now() + DECIDE_DEADLINE_MS, () =>
        handle.executeUpdate(approvalUpdate, { args: [{ approvalId, decision: input.decision, comment: input.comment, actor: input.actor }] })
      );
    } catch (err) {
      // A decision is taken by the run itself: with no worker running, nobody can take it yet.
      const refused = updateRefusal(
        err,
        { [ApprovalErrorType.notFound]: 404, [ApprovalErrorType.notPending]: 409, [ApprovalErrorType.notAllowed]: 403 },
        `approval ${approvalId} cannot be decided right now: no worker answered for case ${caseId} (is the worker running?)`
      );
      if (refused) throw refused;
      // The playbook ended between our read and the update.
      if (err instanceof WorkflowNotFoundError) throw new HttpError(409, `approval ${approvalId} is no longer pending: the playbook has ended`);
      throw err;
    }
  }

  /**
   * An analyst's verdict on the case. A false positive yields suggested suppression rules — one
   * per detection rule and host in the case — for review; they do nothing until activated.
   */
  async setVerdict(caseId: string, verdict: Omit<CaseVerdict, 'at'>, opts: { keepOpen?: boolean } = {}): Promise<{ verdict: CaseVerdict; suggestions: SuppressionRule[]; undoable: CaseAction[]; cancelled: string[]; closed: boolean }> {
    const stored = await this.d.store.getCase(caseId);
    if (!stored) throw new HttpError(404, `no case ${caseId}`);
    const full: CaseVerdict = { ...verdict, at: new Date().toISOString() };
    const suggestions: SuppressionRule[] = [];
    const alerts = await this.d.store.caseAlerts(caseId, 1000);
    if (verdict.verdict === 'false_positive') {
      const existing = await this.d.rules.list();
      const seen = new Set(existing.filter((r) => r.status !== 'revoked').map((r) => JSON.stringify(r.match)));
      for (const a of alerts) {
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
    this.d.triage?.learn(alerts, full);
    await this.d.record.append(caseId, [{ key: `verdict:${randomUUID()}`, at: full.at, kind: 'verdict.set', actor: full.by, data: { ...full } }]);
    await this.d.rules.refresh();
    // Nothing to respond to: what waits for a decision is cancelled, what was done is offered to be
    // undone, and the case closes unless the analyst keeps it open.
    const view = await this.read(caseId);
    if (verdict.verdict === 'true_positive') return { verdict: full, suggestions, undoable: [], cancelled: [], closed: false };
    const why = `judged ${verdict.verdict.replace('_', ' ')} by ${verdict.by}`;
    const cancelled = await this.cancelPending(view, why, verdict.by);
    const undoable = view.actions.filter((a) => a.status === 'applied' && a.undo);
    const close = !opts.keepOpen && !view.resolution;
    if (close) await this.note(caseId, CaseFact.closed, verdict.by, { resolution: `${why}${verdict.comment ? `: ${verdict.comment}` : ''}`, ...(cancelled.length ? { cancelled } : {}) });
    return { verdict: full, suggestions, undoable, cancelled, closed: close };
  }

  /**
   * Undoes one action through its driver (simulated actions: recorded only). At most once: the
   * undo's workflow ID derives from the case and the action, so a second request answers 409.
   */
  /**
   * An analyst runs a playbook again for the case (after fixing an integration, or to act on what
   * was learnt since). The case workflow numbers the run after every earlier one and starts it with
   * the case's first alert the playbook's route takes; if the case workflow has ended, this starts
   * it again. The run records who asked, and they may not approve what it asks.
   */
  async rerun(caseId: string, playbook: string, input: { actor: string; comment?: string }): Promise<RerunPlaybookResult> {
    const stored = await this.d.store.getCase(caseId);
    if (!stored) throw new HttpError(404, `no case ${caseId}`);
    const events = await this.d.record.events(caseId);
    const handling = caseHandling(events);
    if (handling.resolution) throw new HttpError(409, `case ${caseId} is closed (by ${handling.resolution.by}); reopen it to run a playbook again`);
    if (!this.d.caseStart) throw new HttpError(503, 'this API process does not start case workflows');
    const after = Math.max(0, ...playbookRuns(events).filter((r) => r.view.playbook === playbook).map((r) => r.view.run ?? 1));
    const alerts: NativeAlert[] = [];
    let bytes = 0;
    for (const a of await this.d.store.caseAlerts(caseId, RERUN_ALERTS)) {
      const alert = nativeAlert(a);
      bytes += JSON.stringify(alert).length;
      if (bytes > RERUN_BYTES && alerts.length > 0) break;
      alerts.push(alert);
    }
    let result: RerunPlaybookResult;
    try {
      result = await this.d.client.withDeadline(Date.now() + DECIDE_DEADLINE_MS, () =>
        this.d.client.workflow.executeUpdateWithStart(rerunPlaybookUpdate, {
          args: [{ playbook, alerts, requestedBy: input.actor, after }],
          startWorkflowOperation: new WithStartWorkflowOperation('caseWorkflow', { ...(this.d.caseStart as CaseStart)(caseId, alerts), workflowIdConflictPolicy: 'USE_EXISTING' }),
        })
      );
    } catch (err) {
      throw (
        updateRefusal(err, { [RerunErrorType.unknownPlaybook]: 404, [RerunErrorType.running]: 409, [RerunErrorType.noMatchingAlert]: 422 }, `no worker answered for case ${caseId} (is the worker running?)`) ?? err
      );
    }
    await this.d.record.append(caseId, [
      {
        key: `rerun:${result.workflowId}`,
        at: new Date().toISOString(),
        kind: CaseFact.rerun,
        actor: input.actor,
        data: { playbook, run: result.run, workflowId: result.workflowId, alertId: result.alertId, ...(input.comment ? { comment: input.comment } : {}) },
      },
    ]);
    return result;
  }

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
    await this.d.record.append(caseId, [{ key: `undo:${randomUUID()}`, at: new Date().toISOString(), kind: 'undo.requested', actor: input.actor, data: { actionId, ...(input.comment ? { comment: input.comment } : {}) } }]);
    const result = await Promise.race([undoOutcome(handle), new Promise<undefined>((r) => setTimeout(() => r(undefined), UNDO_WAIT_MS).unref())]);
    if (!result) return { action: { ...action, status: 'undoing' }, finished: false };
    return { action: { ...action, ...result }, finished: true };
  }

}

/**
 * An update a workflow's validator refused, as the status its failure type maps to (the
 * validator's message is the detail), or 503 when no worker took the update; otherwise undefined.
 */
function updateRefusal(err: unknown, statuses: Record<string, number>, noWorker: string): HttpError | undefined {
  const cause = err instanceof ServiceError ? err.cause : err;
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError || (isGrpcServiceError(cause) && NO_WORKER_ANSWER.has(cause.code))) {
    return new HttpError(503, noWorker, undefined, { 'Retry-After': '5' });
  }
  if (!(err instanceof WorkflowUpdateFailedError)) return undefined;
  const status = statuses[(err.cause as { type?: string } | undefined)?.type ?? ''];
  return status ? new HttpError(status, err.cause?.message ?? err.message) : undefined;
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


function withoutFlag({ reopened: _r, ...rest }: CaseHandling): Omit<CaseHandling, 'reopened'> {
  return rest;
}

/**
 * The case's own status: an analyst's close wins; then failed > awaiting approval > running >
 * contained > closed. A run is running until it has ended — between a decision and the step it
 * allows, or while an activity waits for its retry, as much as while it works — so nobody polling
 * for the end is told it came early. With no run in the record yet the case is running while its
 * alerts wait for dispatch, and open after (a playbook is starting, or none took it: it is an
 * analyst's); a case an analyst reopened after its response ended is open.
 */
function caseStatus(runs: PlaybookRun[], h: CaseHandling, live: boolean): CaseStatus {
  if (h.resolution) return 'closed';
  if (runs.some((r) => r.summary.status === 'failed')) return 'failed';
  if (runs.some((r) => r.view.approvals.some((a) => a.status === 'pending'))) return 'awaiting_approval';
  if (runs.some((r) => !r.view.closedAt)) return 'running';
  if (runs.some((r) => r.view.containment)) return 'contained';
  if (runs.length === 0) return live ? 'running' : 'open';
  return h.reopened ? 'open' : 'closed';
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
