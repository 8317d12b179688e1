// Runs in the Temporal sandbox. Undoes one recorded action — an analyst's request from the API
// (POST /v1/cases/{caseId}/actions/{actionId}/undo). Its workflow ID derives from the case and
// the action, so an action is undone at most once — a failed undo fails its workflow, and only then
// may an analyst start it again; the driver's undo runs on the privileged task queue. A simulated action (log-only driver) changed nothing, so its undo changes nothing either
// and says so.
import { ApplicationFailure, patched, proxyActivities, proxyLocalActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import { CONTAINMENT, RECORD } from './blocks/activity-options.ts';
import { RECORD_PATCH } from './blocks/case-record.ts';
import { message } from './blocks/ticket-sync.ts';
import { privilegedTaskQueue, type UndoActionInput, type UndoActionResult } from './definitions.ts';

export async function undoActionWorkflow(input: UndoActionInput): Promise<UndoActionResult> {
  const { action } = input;
  const at = () => new Date().toISOString();
  const done = (status: UndoActionResult['status'], description: string, simulated: boolean): UndoActionResult => ({ actionId: action.id, status, description, at: at(), by: input.actor, simulated });
  if (!action.undo) return recorded(input, done('undo_failed', `action ${action.id} (${action.op}) has no undo`, action.simulated));
  if (action.simulated) return recorded(input, done('undone', `simulated: ${action.undo.op} for "${action.description}" (the action changed nothing, so neither does its undo)`, true));
  const { containmentUndo } = proxyActivities<Activities>({ ...CONTAINMENT, taskQueue: privilegedTaskQueue(workflowInfo().taskQueue) });
  try {
    const result = await containmentUndo({
      driver: action.driver,
      undo: action.undo,
      caseId: input.caseId,
      idempotencyKey: `${workflowInfo().workflowId}:undo`,
      reason: `Riposte case ${input.caseId}: undo of ${action.id} requested by ${input.actor}${input.comment ? ` ("${input.comment}")` : ''}`,
    });
    return recorded(input, done('undone', `${result.driver}: ${result.description}`, false));
  } catch (err) {
    const why = `${action.driver}: could not ${action.undo.op}: ${message(err)}`;
    // A failed undo fails its workflow, so that an analyst can ask again (the API starts a new one).
    if (patched('undo-fails-loudly')) {
      await recorded(input, done('undo_failed', why, false));
      throw ApplicationFailure.nonRetryable(why, 'UndoFailedError');
    }
    return done('undo_failed', why, false);
  }
}

/** The undo's outcome goes into the case record (each attempt once), then back to the API. */
async function recorded(input: UndoActionInput, result: UndoActionResult): Promise<UndoActionResult> {
  if (!patched(RECORD_PATCH)) return result;
  const { caseRecordAppend } = proxyLocalActivities<Activities>(RECORD);
  const { workflowId, runId } = workflowInfo();
  await caseRecordAppend({
    caseId: input.caseId,
    events: [{ key: `${workflowId}/${runId}:outcome`, at: result.at, kind: 'action.undone', actor: input.actor, data: { ...result, ...(input.comment ? { comment: input.comment } : {}) } }],
  });
  return result;
}
