// A case as analysts see it, put together from the alert store (the case, its alerts, its
// verdict) and the case's playbook workflows (findings, approvals, actions, timelines); and the
// analyst's decisions on it.
import {
  isGrpcServiceError,
  ServiceError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import type { ObservableType } from '../core/alert.ts';
import type { CaseStatus, CaseVerdict, CaseView, PlaybookSummary, PlaybookView } from '../core/case.ts';
import type { AlertStore, StoredAlert } from '../store/types.ts';
import { ApprovalErrorType, Playbook, approvalUpdate, caseWorkflowId, playbookViewQuery, playbookWorkflowId } from '../workflows/definitions.ts';
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

export interface CaseServiceDeps {
  client: Client;
  store: AlertStore;
  rules: SuppressionRules;
}

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
  async setVerdict(caseId: string, verdict: Omit<CaseVerdict, 'at'>): Promise<{ verdict: CaseVerdict; suggestions: SuppressionRule[] }> {
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
    return { verdict: full, suggestions };
  }

  private async caseWorkflowRunning(caseId: string): Promise<boolean> {
    try {
      return (await this.d.client.workflow.getHandle(caseWorkflowId(caseId)).describe()).status.name === 'RUNNING';
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    }
  }

  /** Every playbook this case may have started, found by its derived workflow ID. */
  private async playbookRuns(caseId: string): Promise<PlaybookRun[]> {
    const runs: PlaybookRun[] = [];
    for (const playbook of Object.values(Playbook)) {
      const handle = this.d.client.workflow.getHandle(playbookWorkflowId(playbook, caseId));
      let state: string;
      try {
        state = (await handle.describe()).status.name;
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) continue;
        throw err;
      }
      const view = await this.query(handle, caseId);
      const status: CaseStatus = CLOSED_BADLY.has(state) ? 'failed' : view.status;
      runs.push({ summary: { workflowId: handle.workflowId, playbook, status }, view: { ...view, status } });
    }
    return runs;
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

/** failed > awaiting approval > running > contained > closed. */
function caseStatus(runs: PlaybookRun[], approvals: Array<{ status: string }>, contained: boolean, live: boolean): CaseStatus {
  if (runs.some((r) => r.summary.status === 'failed')) return 'failed';
  if (approvals.some((a) => a.status === 'pending')) return 'awaiting_approval';
  if (runs.some((r) => r.summary.status === 'running')) return 'running';
  if (contained) return 'contained';
  return live ? 'running' : 'closed';
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
