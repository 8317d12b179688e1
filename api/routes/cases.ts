// GET /v1/cases/{caseId} and POST /v1/cases/{caseId}/approvals/{approvalId} — analysts read
// a case and decide its pending approvals. The case lives in its playbook's workflow; reads
// are queries, decisions are validated updates.
import {
  isGrpcServiceError,
  ServiceError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import type { CaseView } from '../../core/case.ts';
import type { Logger } from '../../telemetry/logger.ts';
import { ApprovalErrorType, Playbook, approvalUpdate, caseViewQuery, playbookWorkflowId } from '../../workflows/definitions.ts';
import type { RouteSpec } from '../openapi.ts';
import { HttpError } from '../problem.ts';
import { ApprovalDecisionBody, ApprovalParams, ApprovalRecorded, CaseIdParams, CaseResponse, Problem } from '../schemas.ts';

export interface CaseRouteDeps {
  client: Client;
  logger: Logger;
}

/** gRPC statuses a query ends with when no worker answers: none polling (9), or none in time (4). */
const NO_WORKER_ANSWER = new Set([4, 9]);
const QUERY_DEADLINE_MS = 5000;
const CLOSED_BADLY = new Set(['FAILED', 'TERMINATED', 'TIMED_OUT', 'CANCELLED']);

export function caseRoutes(deps: CaseRouteDeps): RouteSpec[] {
  const handleFor = (caseId: string) => deps.client.workflow.getHandle(playbookWorkflowId(Playbook.suspectedC2, caseId));

  return [
    {
      method: 'get',
      path: '/v1/cases/{caseId}',
      operationId: 'getCase',
      summary: 'Read a case: status, enrichment, ticket, pending approvals, timeline',
      tags: ['cases'],
      roles: ['analyst'],
      params: CaseIdParams,
      responses: {
        200: { description: 'The case', schema: CaseResponse },
        404: { description: 'No such case', schema: Problem },
        503: { description: 'No worker is running to answer for the case; retry later', schema: Problem },
      },
      handler: async (req, res) => {
        const caseId = req.params.caseId as string;
        const view = await readCase(deps.client, handleFor(caseId), caseId);
        res.json({ ...view, pendingApprovals: view.approvals.filter((a) => a.status === 'pending') });
      },
    },
    {
      method: 'post',
      path: '/v1/cases/{caseId}/approvals/{approvalId}',
      operationId: 'decideApproval',
      summary: 'Approve or reject a pending approval',
      description: 'The decision is recorded with the name of the token that made it. A decision is final: deciding again answers 409.',
      tags: ['cases'],
      roles: ['analyst'],
      params: ApprovalParams,
      body: ApprovalDecisionBody,
      responses: {
        200: { description: 'Recorded', schema: ApprovalRecorded },
        404: { description: 'No such case, or no such approval in it', schema: Problem },
        409: { description: 'Already decided, timed out, or the case has ended', schema: Problem },
      },
      handler: async (req, res) => {
        const { caseId, approvalId } = req.params as { caseId: string; approvalId: string };
        const body = req.body as ApprovalDecisionBody;
        const actor = req.principal?.name ?? 'unknown';
        const audit = { caseId, approvalId, decision: body.decision, actor };
        const handle = handleFor(caseId);
        try {
          const approval = await handle.executeUpdate(approvalUpdate, {
            args: [{ approvalId, decision: body.decision, comment: body.comment, actor }],
          });
          deps.logger.info({ audit: { ...audit, outcome: 'recorded' } }, 'approval decided');
          res.json({ caseId, approval });
        } catch (err) {
          const refusal = await explainRefusal(deps.client, handle, caseId, approvalId, err);
          deps.logger.warn({ audit: { ...audit, outcome: 'refused', status: refusal.status } }, `approval refused: ${refusal.message}`);
          throw refusal;
        }
      },
    },
  ];
}

async function readCase(client: Client, handle: WorkflowHandle, caseId: string): Promise<CaseView> {
  let status: string;
  try {
    status = (await handle.describe()).status.name;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new HttpError(404, `no case ${caseId}`);
    throw err;
  }
  try {
    const view = await client.withDeadline(Date.now() + QUERY_DEADLINE_MS, () => handle.query(caseViewQuery));
    return CLOSED_BADLY.has(status) ? { ...view, status: 'failed' } : view;
  } catch (err) {
    // Reading a case replays its playbook on a worker; with none running there is no answer yet.
    const cause = err instanceof ServiceError ? err.cause : err;
    if (isGrpcServiceError(cause) && NO_WORKER_ANSWER.has(cause.code)) {
      throw new HttpError(503, `case ${caseId} cannot be read right now: no worker answered for it (is the worker running?)`, undefined, { 'Retry-After': '5' });
    }
    throw err;
  }
}

/** Turns a refused update into 404 or 409; anything unexpected is rethrown. */
async function explainRefusal(client: Client, handle: WorkflowHandle, caseId: string, approvalId: string, err: unknown): Promise<HttpError> {
  if (err instanceof WorkflowUpdateFailedError) {
    const type = (err.cause as { type?: string } | undefined)?.type;
    const detail = err.cause?.message ?? 'refused';
    if (type === ApprovalErrorType.notFound) return new HttpError(404, detail);
    if (type === ApprovalErrorType.notPending) return new HttpError(409, detail);
    throw err;
  }
  if (err instanceof WorkflowNotFoundError) {
    // Either there is no such case, or its playbook has ended and takes no more updates.
    const view = await readCase(client, handle, caseId);
    const approval = view.approvals.find((a) => a.id === approvalId);
    if (!approval) return new HttpError(404, `no approval ${approvalId} in case ${caseId}`);
    return new HttpError(409, `approval ${approvalId} is ${approval.status === 'pending' ? 'no longer pending: the case has ended' : `already ${approval.status}`}`);
  }
  throw err;
}
