// Runs in the Temporal sandbox. Containment by target kind — egress addresses, a host, a cloud
// instance, a cloud credential. First a plan: the worker checks every target against the
// never-contain list (before any approval is asked) and names the driver for its kind, and
// whether that driver may act for real (RIPOSTE_CONTAINMENT) or the action is only recorded
// (simulated). Then, after the approval, the actions: each recorded with its undo, which an
// analyst can run later from the API.
import { patched, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities/index.ts';
import type { ContainRequest, PlannedAction } from '../../activities/containment/types.ts';
import { CONTAINING_OP_NAMES, type ActionRecord, type Approval } from '../../core/case.ts';
import type { PlaybookRun } from '../playbook.ts';
import { CONTAINMENT, LOCAL } from './activity-options.ts';
import { now } from './case-record.ts';
import { message } from './ticket-sync.ts';

const { containmentPlan } = proxyLocalActivities<Activities>(LOCAL);

/** Action ids carry the playbook's name (two playbooks of a case may both block egress). */
const ACTION_ID_PATCH = 'action-id-playbook';

/** Operations that contain (the case reads "contained"); the others preserve or prepare. */
export const CONTAINING_OPS = CONTAINING_OP_NAMES;

/** Each operation and the one that reverses it. */
export const UNDO_OF: Record<string, string | undefined> = {
  'block-egress': 'unblock-egress',
  'isolate-host': 'release-host',
  'protect-instance': 'restore-termination-protection',
  'tag-instance': 'untag-instance',
  'detach-asg': 'attach-asg',
  'deregister-targets': 'register-targets',
  'isolate-instance': 'restore-security-groups',
  'deactivate-key': 'reactivate-key',
  'revoke-sessions': 'remove-session-revocation',
};

/**
 * Checks the requests against the never-contain list and picks each one's driver. Refused
 * targets are recorded; what is left may be asked for and applied.
 */
export async function planContainment(run: PlaybookRun, requests: ContainRequest[]): Promise<PlannedAction[]> {
  if (requests.length === 0) return [];
  const { allowed, refused } = await containmentPlan({ requests, providers: run.providers.contain });
  for (const r of refused) run.record.note('contain', `refused ${r.op} on ${r.target}: ${r.reason}`);
  for (const a of allowed) {
    if (!a.live) {
      const why = a.driver === 'log-only' ? `no driver for ${a.kind} may act (RIPOSTE_CONTAINMENT)` : `${a.driver} is not in RIPOSTE_CONTAINMENT`;
      run.record.note('contain', `planned ${a.op} on ${a.target} will be simulated: ${why}`);
    }
  }
  return allowed;
}

/** How a planned action reads in an approval ("simulated" when its driver may not act). */
export function describePlanned(a: PlannedAction): string {
  return `${a.description} — ${a.live ? a.driver : `simulated (${a.driver})`}`;
}

/**
 * Applies the planned actions in order. Live ones act through their driver on the privileged
 * task queue; the rest (log-only drivers, dry runs) are recorded as simulated — the case says
 * plainly that nothing changed. With `onFailure: 'continue'` a failed action is recorded and the
 * others still go; by default the first failure fails the playbook, loudly.
 */
export async function applyContainment(
  run: PlaybookRun,
  actions: PlannedAction[],
  opts: { approval?: Approval; onFailure?: 'fail' | 'continue' } = {}
): Promise<Applied> {
  const { record } = run;
  const { containmentApply } = run.privileged(CONTAINMENT);
  const done: ActionRecord[] = [];
  const refused: PlannedAction[] = [];
  const failed: PlannedAction[] = [];
  const refusedLines: string[] = [];
  let refusedId: string | undefined;
  for (const a of actions) {
    const id = actionId(run, a.op);
    // Four-eyes: every person who approved, in order.
    const approvedBy = opts.approval?.approvedBy?.length ? opts.approval.approvedBy.map((a) => a.by).join(' and ') : opts.approval?.decidedBy;
    const base = {
      id,
      kind: a.kind,
      op: a.op,
      target: a.target,
      at: now(),
      status: 'applied' as const,
      ...(opts.approval ? { approvalId: opts.approval.id } : {}),
      ...(approvedBy ? { approvedBy } : {}),
    };
    const undoOp = UNDO_OF[a.op];
    if (!a.live || run.dryRun) {
      const rec: ActionRecord = { ...base, description: a.description, driver: a.driver, simulated: true, ...(undoOp ? { undo: { op: undoOp, input: {} } } : {}) };
      record.addAction(rec);
      done.push(rec);
      record.note('contain', `simulated: ${a.description} (${run.dryRun ? 'dry run' : `${a.driver}: nothing was changed`})`);
      continue;
    }
    try {
      const result = await containmentApply({ action: a, caseId: run.caseId, actionId: id, idempotencyKey: run.key(`contain:${id}`), reason: reason(run, opts.approval) });
      if (result.refused) {
        record.note('contain', `${a.driver} did not ${a.op} ${a.target}: ${result.refused} — nothing was changed`);
        refused.push(a);
        refusedLines.push(`- REFUSED (nothing changed): ${a.description} [${a.driver}; action ${id}]: ${result.refused}`);
        refusedId ??= id;
        continue;
      }
      const rec: ActionRecord = { ...base, description: result.description, driver: result.driver, simulated: false, ...(result.undo ? { undo: result.undo } : {}) };
      record.addAction(rec);
      done.push(rec);
      record.note('contain', `${result.driver}: ${result.description}${result.alreadyInState ? ' (already so)' : ''}`);
      // A change made for real is in the case record before anything else happens.
      await record.flush();
    } catch (err) {
      record.note('contain', `${a.driver}: could not ${a.op} ${a.target}: ${message(err)}`);
      if (opts.onFailure !== 'continue') throw err;
      failed.push(a);
    }
  }
  if (done.length > 0 || refusedLines.length > 0) {
    const lines = [...done.map((d) => `- ${d.simulated ? 'SIMULATED (nothing changed): ' : ''}${d.description} [${d.driver}; action ${d.id}${d.undo ? ', undo available' : ''}]`), ...refusedLines];
    await run.ticket.note(`containment-${done[0]?.id ?? refusedId}`, `Actions:\n${lines.join('\n')}`);
  }
  return { actions: done, refused, failed };
}

/** What applying a plan came to: the actions taken (or simulated), and what was not done. */
export interface Applied {
  actions: ActionRecord[];
  /** Refused by the worker that acts (never-contain, or its driver may no longer act): nothing changed. */
  refused: PlannedAction[];
  /** Failed, with `onFailure: 'continue'` (the timeline says why). */
  failed: PlannedAction[];
}

/**
 * Unique within the case: `${playbook}-${op}-${n}`, with the run for runs after the first. Runs
 * from before the playbook's name was in it keep their `${op}-${n}` ids: the API reads a run by
 * replaying it, and its undo workflows are named after those ids.
 */
function actionId(run: PlaybookRun, op: string): string {
  const runNo = run.input.run ?? 1;
  const named = patched(ACTION_ID_PATCH);
  const prefix = named ? `${run.meta.name}${runNo > 1 ? `-run${runNo}` : ''}-${op}` : runNo > 1 ? `${op}-run${runNo}` : op;
  const n = run.record.view.actions.filter((a) => a.id.startsWith(`${prefix}-`)).length + 1;
  return `${prefix}-${n}`;
}

function reason(run: PlaybookRun, approval?: Approval): string {
  const by = approval?.decidedBy ? `approved by ${approval.decidedBy}` : approval?.status === 'timed_out' ? 'approval timed out; playbook default' : 'playbook';
  return `Riposte case ${run.caseId} (${run.meta.name}): ${by}`;
}
