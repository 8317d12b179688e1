// Runs in the Temporal sandbox. The approval gate: a risky step waits here for an analyst.
// Decisions arrive as `approvalUpdate`; the validator refuses unknown or already-decided
// approvals before they reach history, so the API can answer 404/409 at once.
import { ApplicationFailure, condition, setHandler } from '@temporalio/workflow';
import type { Approval } from '../../core/case.ts';
import { parseDuration } from '../../core/duration.ts';
import { ApprovalErrorType, approvalUpdate } from '../definitions.ts';
import { now, type CaseRecord } from './case-record.ts';

export interface AskOptions {
  /** Stable within the case, e.g. "contain-egress". */
  id: string;
  action: string;
  reason: string;
  timeout: string;
}

export class ApprovalGate {
  constructor(private readonly record: CaseRecord) {
    setHandler(
      approvalUpdate,
      (input) => {
        const approval = this.find(input.approvalId) as Approval;
        approval.status = input.decision === 'approve' ? 'approved' : 'rejected';
        approval.decidedBy = input.actor;
        approval.decidedAt = now();
        if (input.comment) approval.comment = input.comment;
        this.record.note('approval', `${approval.action}: ${approval.status} by ${input.actor}${input.comment ? ` — "${input.comment}"` : ''}`, input.actor);
        return approval;
      },
      {
        validator: (input) => {
          const approval = this.find(input.approvalId);
          if (!approval) throw ApplicationFailure.nonRetryable(`no approval ${input.approvalId} in this case`, ApprovalErrorType.notFound);
          if (approval.status !== 'pending') {
            throw ApplicationFailure.nonRetryable(`approval ${input.approvalId} is already ${approval.status}`, ApprovalErrorType.notPending);
          }
        },
      }
    );
  }

  /** Waits for a decision or the timeout; returns the settled approval. */
  async ask(opts: AskOptions): Promise<Approval> {
    const requestedAt = Date.now();
    const approval: Approval = {
      id: opts.id,
      action: opts.action,
      reason: opts.reason,
      requestedAt: new Date(requestedAt).toISOString(),
      expiresAt: new Date(requestedAt + durationMs(opts.timeout)).toISOString(),
      status: 'pending',
    };
    this.record.view.approvals.push(approval);
    this.record.setStatus('awaiting_approval');
    this.record.note('approval', `asked: ${opts.action} (${opts.reason}); waits ${opts.timeout}`);
    const decided = await condition(() => approval.status !== 'pending', opts.timeout);
    if (!decided) {
      approval.status = 'timed_out';
      approval.decidedAt = now();
    }
    this.record.setStatus('running');
    return approval;
  }

  private find(id: string): Approval | undefined {
    return this.record.view.approvals.find((a) => a.id === id);
  }
}

/** A settings duration → milliseconds; a bad one fails the playbook (not the worker). */
export function durationMs(d: string): number {
  const ms = parseDuration(d);
  if (ms === undefined) throw ApplicationFailure.nonRetryable(`invalid duration "${d}"`, 'InvalidSettingsError');
  return ms;
}
