// Cases: list them, read one (from the case record), decide its approvals, give it a verdict, undo an action.
import type { CaseStatus } from '../../core/case.ts';
import type { Logger } from '../../telemetry/logger.ts';
import type { AlertStore } from '../../store/types.ts';
import type { CaseService } from '../cases.ts';
import type { HttpError as HttpErrorType } from '../problem.ts';
import type { RouteSpec } from '../openapi.ts';
import { HttpError } from '../problem.ts';
import {
  ApprovalDecisionBody,
  ApprovalParams,
  ApprovalRecorded,
  CaseIdParams,
  CaseListQuery,
  CaseListResponse,
  CaseResponse,
  Problem,
  VerdictBody,
  VerdictResponse,
  ActionParams,
  UndoBody,
  UndoResponse,
} from '../schemas.ts';

export interface CaseRouteDeps {
  cases: CaseService;
  store: AlertStore;
  logger: Logger;
}

export function caseRoutes(deps: CaseRouteDeps): RouteSpec[] {
  return [
    {
      method: 'get',
      path: '/v1/cases',
      operationId: 'listCases',
      summary: 'List cases, newest first',
      tags: ['cases'],
      roles: ['viewer'],
      query: CaseListQuery,
      responses: { 200: { description: 'A page of cases', schema: CaseListResponse } },
      handler: async (req, res) => {
        const limit = Number(req.query.limit ?? 50);
        const list = await deps.store.listCases({ limit, before: req.query.before as string | undefined });
        const states = await deps.cases.states(list.map((c) => c.id));
        res.json({
          cases: list.map((c) => ({
            caseId: c.id,
            title: c.title,
            severity_id: c.severity_id,
            createdAt: c.createdAt,
            lastAlertAt: c.lastAlertAt,
            alertCount: c.alertCount,
            ...(states.get(c.id) as { status: CaseStatus; playbooks: string[] }),
            ...(c.verdict ? { verdict: c.verdict.verdict } : {}),
          })),
          ...(list.length === limit ? { next: list.at(-1)?.createdAt } : {}),
        });
      },
    },
    {
      method: 'get',
      path: '/v1/cases/{caseId}',
      operationId: 'getCase',
      summary: 'Read a case: its alerts, status, findings, ticket, pending approvals and timeline',
      description: 'Read from Riposte\u2019s case record (the alert store and cases.db), never from a workflow: a case reads the same with no worker running and after Temporal has dropped its history.',
      tags: ['cases'],
      roles: ['viewer'],
      params: CaseIdParams,
      responses: {
        200: { description: 'The case', schema: CaseResponse },
        404: { description: 'No such case', schema: Problem },
      },
      handler: async (req, res) => void res.json(await deps.cases.read(req.params.caseId as string)),
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
        409: { description: 'Already decided, timed out, or the playbook has ended', schema: Problem },
        503: { description: 'No worker is running to take the decision; retry later', schema: Problem, headers: { 'Retry-After': 'seconds' } },
      },
      handler: async (req, res) => {
        const { caseId, approvalId } = req.params as { caseId: string; approvalId: string };
        const body = req.body as { decision: 'approve' | 'reject'; comment?: string };
        const actor = req.principal?.name ?? 'unknown';
        const audit = { caseId, approvalId, decision: body.decision, actor };
        try {
          const approval = await deps.cases.decide(caseId, approvalId, { ...body, actor });
          deps.logger.info({ audit: { ...audit, outcome: 'recorded' } }, 'approval decided');
          res.json({ caseId, approval });
        } catch (err) {
          if (err instanceof HttpError) {
            deps.logger.warn({ audit: { ...audit, outcome: 'refused', status: (err as HttpErrorType).status } }, `approval refused: ${err.message}`);
          }
          throw err;
        }
      },
    },
    {
      method: 'post',
      path: '/v1/cases/{caseId}/actions/{actionId}/undo',
      operationId: 'undoAction',
      summary: 'Undo an action a playbook took (release the host, unblock the address, restore the security groups …)',
      description:
        'Runs the driver\u2019s undo once per action (a request while it runs, or after it succeeded, answers 409; after it failed, a new request tries again). ' +
        'A simulated action (log-only driver) changed nothing, so its undo changes nothing and is recorded as such. ' +
        'Answers 200 with the action once undone (or undo_failed, with why), or 202 while the undo is still running.',
      tags: ['cases'],
      roles: ['analyst'],
      params: ActionParams,
      body: UndoBody,
      responses: {
        200: { description: 'Undone (or the undo failed: see status)', schema: UndoResponse },
        202: { description: 'The undo is running; read the case for its outcome', schema: UndoResponse },
        404: { description: 'No such case, or no such action in it', schema: Problem },
        409: { description: 'Already undone, being undone, or the action has no undo', schema: Problem },
      },
      handler: async (req, res) => {
        const { caseId, actionId } = req.params as { caseId: string; actionId: string };
        const body = (req.body ?? {}) as { comment?: string };
        const actor = req.principal?.name ?? 'unknown';
        const audit = { caseId, actionId, actor, action: 'undo' };
        try {
          const { action, finished } = await deps.cases.undo(caseId, actionId, { actor, ...(body.comment ? { comment: body.comment } : {}) });
          deps.logger.info({ audit: { ...audit, outcome: action.status } }, 'action undo');
          res.status(finished ? 200 : 202).json({ caseId, action });
        } catch (err) {
          if (err instanceof HttpError) deps.logger.warn({ audit: { ...audit, outcome: 'refused', status: (err as HttpErrorType).status } }, `undo refused: ${err.message}`);
          throw err;
        }
      },
    },
    {
      method: 'post',
      path: '/v1/cases/{caseId}/verdict',
      operationId: 'setCaseVerdict',
      summary: "Record the analyst's verdict; a false positive suggests suppression rules for review",
      tags: ['cases'],
      roles: ['analyst'],
      params: CaseIdParams,
      body: VerdictBody,
      responses: {
        200: { description: 'Recorded; suggestedSuppressions do nothing until activated (POST /v1/suppressions/{id}/activate)', schema: VerdictResponse },
        404: { description: 'No such case', schema: Problem },
      },
      handler: async (req, res) => {
        const caseId = req.params.caseId as string;
        const body = req.body as { verdict: 'true_positive' | 'false_positive' | 'benign'; comment?: string };
        const { verdict, suggestions, undoable } = await deps.cases.setVerdict(caseId, { ...body, by: req.principal?.name ?? 'unknown' });
        res.json({
          caseId,
          verdict,
          suggestedSuppressions: suggestions,
          undo: undoable.map((a) => ({ actionId: a.id, description: a.description, simulated: a.simulated, href: `/v1/cases/${caseId}/actions/${a.id}/undo` })),
        });
      },
    },
  ];
}
