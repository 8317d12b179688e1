// Runs in the Temporal sandbox. The approval gate: a risky step waits here for an analyst.
// Asking tells every configured channel (Slack with Approve / Reject buttons, a Teams card,
// e-mail); a timeout pages (PagerDuty) before the playbook follows its default. Decisions
// arrive as `approvalUpdate`; the validator refuses unknown or already-decided approvals before
// they reach history, so the API can answer 404/409 at once. A decision takes effect only once
// its update is in history (see `decideOnceAccepted`). A dry run answers by itself.
import { ApplicationFailure, condition, proxyActivities, setHandler, sleep } from '@temporalio/workflow';
import type { Activities } from '../../activities/index.ts';
import type { Approval } from '../../core/case.ts';
import { parseDuration } from '../../core/duration.ts';
import { severityName } from '../../core/alert.ts';
import { assetsIn } from '../../core/assets.ts';
import { ApprovalErrorType, approvalUpdate, type ApprovalUpdateInput } from '../definitions.ts';
import type { PlaybookRun } from '../playbook.ts';
import { NOTIFY } from './activity-options.ts';
import { now } from './case-record.ts';
import { message } from './ticket-sync.ts';

const { notificationNotify } = proxyActivities<Activities>(NOTIFY);

export interface AskOptions {
  /** Stable within the playbook, e.g. "contain-egress" (one of the playbook's declared approvals). */
  id: string;
  /** What approving will do, in words. */
  action: string;
  reason: string;
  /** What approving acts on, each with its driver (or "simulated"). */
  targets?: string[];
  timeout: string;
}

/** Runs from this patch on take a decision only once its update is in history. */
export const DECIDE_ONCE_ACCEPTED_PATCH = 'approval-decided-once-accepted';

export class ApprovalGate {
  private told = false;
  /** The write of the latest decision to the case record (the update handler answers once it is done). */
  private recordingDecision?: Promise<unknown>;
  /**
   * Whether decisions wait for their update to be in history (`runPlaybook` asks the patch first
   * thing; older runs replay as they ran).
   */
  decidesOnceAccepted = false;

  constructor(private readonly run: PlaybookRun) {
    setHandler(approvalUpdate, (input) => (this.decidesOnceAccepted ? this.decideOnceAccepted(input) : this.decide(input)), { validator: (input) => this.check(input) });
  }

  /** Refuses (before history, as the update's validator) a decision that cannot be taken. */
  private check(input: ApprovalUpdateInput): void {
    const approval = this.find(input.approvalId);
    if (!approval) throw ApplicationFailure.nonRetryable(`no approval ${input.approvalId} in this case`, ApprovalErrorType.notFound);
    if (approval.status !== 'pending') {
      throw ApplicationFailure.nonRetryable(`approval ${input.approvalId} is already ${approval.status}`, ApprovalErrorType.notPending);
    }
    if (input.decision !== 'approve') return;
    if (approval.requestedBy === input.actor) {
      throw ApplicationFailure.nonRetryable(`${input.actor} started this run and may not approve what it asks; another analyst must`, ApprovalErrorType.notAllowed);
    }
    if (approval.approvedBy?.some((a) => a.by === input.actor)) {
      throw ApplicationFailure.nonRetryable(`${input.actor} has already approved ${input.approvalId}; it needs another analyst (${approval.requiredWhy ?? 'four-eyes'})`, ApprovalErrorType.notAllowed);
    }
  }

  /**
   * Temporal writes an update to history only when the workflow task that accepted it completes;
   * one whose task is lost (the server restarted, the task timed out under load) never happened,
   * and the analyst's request fails. A decision taken in that task — the case record told, the
   * containment begun by local activities — would outlive it: the record would say "approved"
   * while the run still waits. So the handler first lets a 1 ms timer go by: it can fire only
   * once the accepting task is in history. Then, checked again (another decision or the timeout
   * may have come meanwhile), the decision is taken, recorded and answered.
   */
  private async decideOnceAccepted(input: ApprovalUpdateInput): Promise<Approval> {
    await sleep(1);
    this.check(input);
    return this.decide(input);
  }

  /** Takes a decision (or, four-eyes, one of two approvals); answered once it is in the case record. */
  private decide(input: ApprovalUpdateInput): Approval | Promise<Approval> {
    const { record } = this.run;
    const approval = this.find(input.approvalId) as Approval;
    if (input.decision === 'approve' && approval.required !== undefined) {
      (approval.approvedBy ??= []).push({ by: input.actor, at: now(), ...(input.comment ? { comment: input.comment } : {}) });
      if (approval.approvedBy.length < approval.required) {
        // Four-eyes: one approval given, the decision waits for another person.
        record.note('approval', `${approval.action}: approved by ${input.actor} (${approval.approvedBy.length} of ${approval.required}); waits for another analyst${input.comment ? ` — "${input.comment}"` : ''}`, input.actor);
        if (!record.recording) return approval;
        const partial = { ...approval, approvedBy: [...approval.approvedBy] };
        return record.flush().then(() => partial);
      }
    }
    approval.status = input.decision === 'approve' ? 'approved' : 'rejected';
    approval.decidedBy = input.actor;
    approval.decidedAt = now();
    if (input.comment) approval.comment = input.comment;
    record.note('approval', `${approval.action}: ${approval.status} by ${input.actor}${input.comment ? ` — "${input.comment}"` : ''}`, input.actor);
    // Runs from before the case record answered at once (an await here would reorder their commands).
    if (!record.recording) return approval;
    // The decision is in the case record before the analyst hears it was taken.
    const decided = { ...approval };
    const written = record.flush().then(() => decided);
    this.recordingDecision = written;
    return written;
  }

  /** Waits for a decision or the timeout (paging on timeout); returns the settled approval. */
  async ask(opts: AskOptions): Promise<Approval> {
    const { record } = this.run;
    const requestedAt = Date.now();
    const approval: Approval = {
      id: this.uniqueId(opts.id),
      action: opts.action,
      reason: opts.reason,
      requestedAt: new Date(requestedAt).toISOString(),
      expiresAt: new Date(requestedAt + durationMs(opts.timeout)).toISOString(),
      status: 'pending',
      ...(opts.targets ? { targets: opts.targets } : {}),
      ...this.fourEyes(opts),
      ...(this.run.input.requestedBy ? { requestedBy: this.run.input.requestedBy } : {}),
    };
    record.view.approvals.push(approval);
    record.setStatus('awaiting_approval');
    record.note('approval', `asked: ${opts.action} (${opts.reason}); waits ${opts.timeout}${approval.required ? `; needs ${approval.required} analysts: ${approval.requiredWhy}` : ''}`);
    await this.tell(approval);
    // What the analyst is asked to decide on is in the case record while the run waits.
    await record.flush();

    if (this.run.dryRun) {
      this.answerDryRun(approval);
    } else {
      const decided = await condition(() => approval.status !== 'pending', opts.timeout);
      if (!decided) {
        approval.status = 'timed_out';
        approval.decidedAt = now();
      }
    }
    // A run with quick calls goes on only once the decision is in the record: its next call is a
    // local activity too, and two local activities at once — one in the update handler, one here —
    // could be resolved in another order on replay than they were live.
    if (this.run.quick && this.recordingDecision) await this.recordingDecision;
    if (approval.status === 'timed_out') await this.escalate(approval, opts.timeout);
    record.setStatus('running');
    return approval;
  }

  /**
   * Whether to go ahead after an ask: approved — or, nobody having decided, the playbook's
   * `onApprovalTimeout` is `contain`. Either way the timeline and the ticket say so: an escalation
   * (`escalation<suffix>` note), or who decided (`approval-decided<suffix>`).
   */
  async settle(approval: Approval, o: { onApprovalTimeout: string; approvalTimeout: string; verb: string; noun: string; suffix: string; what?: string }): Promise<boolean> {
    const { record, ticket } = this.run;
    if (approval.status === 'timed_out') {
      const go = o.onApprovalTimeout === 'contain';
      const escalation = `escalated: nobody decided ${o.what ? `"${o.what}" ` : ''}within ${o.approvalTimeout}; the playbook default is ${go ? `to ${o.verb}` : `not to ${o.verb}`}`;
      record.note('escalate', escalation);
      await ticket.note(`escalation${o.suffix}`, `Escalation: ${escalation}.`);
      return go;
    }
    await ticket.note(`approval-decided${o.suffix}`, `${o.noun} ${approval.status} by ${approval.decidedBy}${approval.comment ? `: "${approval.comment}"` : ''}.`);
    return approval.status === 'approved';
  }

  /** Every configured channel hears of the approval; Slack shows Approve / Reject buttons. */
  private async tell(approval: Approval): Promise<void> {
    const { record, providers, unconfigured } = this.run;
    const channels = providers.notify;
    if (channels.length === 0) {
      if (!this.told) record.skip('notify', 'no notification channel is configured; the approval waits in the API only', unconfigured.notify ?? []);
      this.told = true;
      return;
    }
    if (this.run.wouldDo('notify', `tell ${channels.join(', ')}: approval "${approval.action}"`)) return;
    const view = record.view;
    try {
      const result = await notificationNotify({
        kind: 'approval',
        idempotencyKey: this.run.key(`notify:approval:${approval.id}`),
        caseId: view.caseId,
        approvalId: approval.id,
        severity_id: view.severity_id,
        title: `[Riposte] Approval needed — ${view.playbook}: ${view.title}`,
        text: `${approval.action}\nWhy: ${approval.reason}\nSeverity ${severityName(view.severity_id)}; waits until ${approval.expiresAt}.`,
        channels,
      });
      approval.notified = result.delivered.filter((d) => d.status === 'ok').map((d) => d.channel);
      const missed = result.delivered.filter((d) => d.status !== 'ok');
      record.note('notify', `approval "${approval.id}" sent to ${approval.notified.join(', ') || 'no channel'}${missed.length ? `; not sent: ${missed.map((d) => `${d.channel} (${d.reason ?? d.status})`).join(', ')}` : ''}`);
    } catch (err) {
      record.note('notify', `could not tell anyone about approval "${approval.id}": ${message(err)}`);
    }
  }

  /** Nobody decided: page whoever is on call, then the playbook follows its default. */
  private async escalate(approval: Approval, timeout: string): Promise<void> {
    const { record, providers, unconfigured } = this.run;
    const channels = [...providers.page, ...providers.notify];
    if (providers.page.length === 0) record.skip('page', 'nobody to page on an unanswered approval', unconfigured.page ?? []);
    if (channels.length === 0) return;
    if (this.run.wouldDo('page', `page ${channels.join(', ')}: approval "${approval.action}" unanswered`)) return;
    try {
      const result = await notificationNotify({
        kind: 'escalation',
        idempotencyKey: this.run.key(`notify:escalation:${approval.id}`),
        caseId: record.view.caseId,
        approvalId: approval.id,
        severity_id: record.view.severity_id,
        title: `[Riposte] Unanswered approval — ${record.view.playbook}: ${record.view.title}`,
        text: `Nobody decided "${approval.action}" within ${timeout}.`,
        channels,
      });
      record.note('page', `escalated to ${result.delivered.filter((d) => d.status === 'ok').map((d) => d.channel).join(', ') || 'no channel'}`);
    } catch (err) {
      record.note('page', `could not escalate: ${message(err)}`);
    }
  }

  /** Two people when the approval is listed, or when it touches a critical asset of the case. */
  private fourEyes(opts: AskOptions): Pick<Approval, 'required' | 'requiredWhy'> {
    const { twoPerson, criticalAssets } = this.run.approvalPolicy;
    const scope = this.run.record.view.scope.flatMap((s) => [s.value, ...(s.ip ? [s.ip] : [])]);
    const named = (opts.targets ?? []).flatMap((t) => t.split(/[\s(),;]+/));
    const critical = criticalAssets.length ? assetsIn(criticalAssets, [...scope, ...named]) : [];
    if (critical.length) return { required: 2, requiredWhy: `critical asset${critical.length > 1 ? 's' : ''} ${critical.join(', ')} (RIPOSTE_CRITICAL_ASSETS)` };
    if (twoPerson.includes('*') || twoPerson.includes(opts.id)) return { required: 2, requiredWhy: `${opts.id} needs two analysts (RIPOSTE_TWO_PERSON_APPROVALS)` };
    return {};
  }

  private answerDryRun(approval: Approval): void {
    const answer = this.run.dryRun?.approvals ?? 'timeout';
    approval.status = answer === 'approve' ? 'approved' : answer === 'reject' ? 'rejected' : 'timed_out';
    approval.decidedAt = now();
    if (answer !== 'timeout') approval.decidedBy = 'dry-run';
    this.run.record.note('approval', `dry run: ${approval.action}: ${approval.status}`);
  }

  /** Approval ids are unique within the case: a second ask of the same kind, or a later run, gets a suffix. */
  private uniqueId(base: string): string {
    const runNo = this.run.input.run ?? 1;
    const id = runNo > 1 ? `${base}-run${runNo}` : base;
    let n = 1;
    let candidate = id;
    while (this.find(candidate)) candidate = `${id}-${++n}`;
    return candidate;
  }

  private find(id: string): Approval | undefined {
    return this.run.record.view.approvals.find((a) => a.id === id);
  }
}

/** A settings duration → milliseconds; a bad one fails the playbook (not the worker). */
export function durationMs(d: string): number {
  const ms = parseDuration(d);
  if (ms === undefined) throw ApplicationFailure.nonRetryable(`invalid duration "${d}"`, 'InvalidSettingsError');
  return ms;
}
