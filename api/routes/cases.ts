// Cases: list them, read one (from the case record), decide its approvals, give it a verdict, undo an action.
import { Type } from '@sinclair/typebox';
import { CaseFact } from '../../core/case-events.ts';
import { caseReport, reportHtml, reportMarkdown } from '../report.ts';
import type { Logger } from '../../telemetry/logger.ts';
import type { AlertStore } from '../../store/types.ts';
import type { CaseListState, CaseService } from '../cases.ts';
import type { StoredCase } from '../../store/types.ts';
import { caseCursor } from '../../store/rows.ts';
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
  CommentBody,
  BulkVerdictBody,
  BulkVerdictResponse,
  AssignBody,
  TagsBody,
  CloseBody,
  ReopenBody,
  RerunBody,
  RerunParams,
  RerunResponse,
} from '../schemas.ts';

/** Cases read from the store per scan of the list, and scans per request at most. */
const SCAN_PAGE = 100;
const MAX_SCANS = 20;

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
      summary: 'List cases, newest first or by triage priority',
      tags: ['cases'],
      roles: ['viewer'],
      query: CaseListQuery,
      responses: { 200: { description: 'A page of cases', schema: CaseListResponse } },
      handler: async (req, res) => {
        const q = req.query as Record<string, string | undefined>;
        const limit = Number(q.limit ?? 50);
        const sort = q.sort === 'priority' ? 'priority' : 'newest';
        // What the alert store can narrow in SQL it does; the rest (status, playbook, assignee,
        // tag, verdict) is read from the case record, page after page, until the page is full.
        const wanted = (c: StoredCase, s: CaseListState) =>
          (!q.status || s.status === q.status) &&
          (!q.playbook || s.playbooks.includes(q.playbook)) &&
          (!q.assignee || (q.assignee === 'none' ? !s.assignee : s.assignee === q.assignee)) &&
          (!q.tag || s.tags.includes(q.tag)) &&
          (!q.verdict || (q.verdict === 'none' ? !c.verdict : c.verdict?.verdict === q.verdict)) &&
          (!q.breached || s.sla.breached.length > 0);
        const found: Array<{ c: StoredCase; s: CaseListState }> = [];
        let cursor = q.before;
        let more = true;
        for (let scans = 0; found.length < limit && more && scans < MAX_SCANS; scans++) {
          const page = await deps.store.listCases({
            limit: SCAN_PAGE,
            sort,
            ...(cursor ? { before: cursor } : {}),
            ...(q.since ? { since: q.since } : {}),
            ...(q.until ? { until: q.until } : {}),
            ...(q.severity ? { severityMin: Number(q.severity) } : {}),
            ...(q.source ? { source: q.source } : {}),
            ...(q.entity ? { entity: q.entity } : {}),
            ...(q.q ? { q: q.q } : {}),
          });
          more = page.length === SCAN_PAGE;
          const states = await deps.cases.states(page);
          for (const c of page) {
            cursor = caseCursor(c, sort);
            const s = states.get(c.id) as CaseListState;
            if (wanted(c, s)) found.push({ c, s });
            if (found.length === limit) {
              more = more || c !== page.at(-1);
              break;
            }
          }
        }
        res.json({
          cases: found.map(({ c, s }) => ({
            caseId: c.id,
            title: c.title,
            severity_id: c.severity_id,
            createdAt: c.createdAt,
            lastAlertAt: c.lastAlertAt,
            alertCount: c.alertCount,
            ...s,
            ...(c.verdict ? { verdict: c.verdict.verdict } : {}),
            entities: c.entities,
            priority: c.priority,
            ...(c.triage ? { triage: c.triage } : {}),
          })),
          ...(more && cursor ? { next: cursor } : {}),
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
      method: 'get',
      path: '/v1/cases/{caseId}/report',
      operationId: 'getCaseReport',
      summary: 'The incident report: what happened, what was found, who decided what, what was done and undone, evidence with hashes, timings',
      description: 'As Markdown (default), printable HTML or JSON: `?format=` or the Accept header (text/markdown, text/html, application/json). Read from the case record.',
      tags: ['cases'],
      roles: ['viewer'],
      params: CaseIdParams,
      query: Type.Object({ format: Type.Optional(Type.Union([Type.Literal('markdown'), Type.Literal('html'), Type.Literal('json')])) }),
      responses: { 200: { description: 'The report (text/markdown, text/html or application/json)' }, 404: { description: 'No such case', schema: Problem } },
      handler: async (req, res) => {
        const report = caseReport(await deps.cases.read(req.params.caseId as string));
        const format = (req.query.format as string | undefined) ?? (req.accepts(['text/markdown', 'text/html', 'application/json']) || 'text/markdown');
        if (format === 'json' || format === 'application/json') return void res.json(report);
        if (format === 'html' || format === 'text/html') return void res.type('text/html; charset=utf-8').send(reportHtml(report));
        res.type('text/markdown; charset=utf-8').send(reportMarkdown(report));
      },
    },
    {
      method: 'post',
      path: '/v1/cases/{caseId}/approvals/{approvalId}',
      operationId: 'decideApproval',
      summary: 'Approve or reject a pending approval',
      description: 'The decision is recorded with the person who made it. A decision is final: deciding again answers 409. An approval that needs two analysts (four-eyes: `required: 2`) stays pending after the first approval (200, with `approvedBy`) until a different analyst approves; one rejection settles it.',
      tags: ['cases'],
      roles: ['analyst'],
      params: ApprovalParams,
      body: ApprovalDecisionBody,
      responses: {
        200: { description: 'Recorded', schema: ApprovalRecorded },
        403: { description: 'Not yours to approve: you started the run that asks, or you already approved it and it needs another analyst (four-eyes)', schema: Problem },
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
      path: '/v1/cases/{caseId}/playbooks/{playbook}/runs',
      operationId: 'rerunPlaybook',
      summary: 'Run a playbook again for the case (after fixing an integration, say)',
      description:
        'A new run, numbered after every earlier run of that playbook in the case, starts with the case\u2019s first alert the playbook\u2019s route takes (the others it takes join it) and handles every indicator afresh. ' +
        'The person who asks is recorded on the run and may not approve what it asks. Answers 202 once the run has started; read the case for its progress.',
      tags: ['cases'],
      roles: ['analyst'],
      params: RerunParams,
      body: RerunBody,
      responses: {
        202: { description: 'The run has started', schema: RerunResponse },
        404: { description: 'No such case, or no such playbook', schema: Problem },
        409: { description: 'The case is closed (reopen it first), or a run of this playbook is still going', schema: Problem },
        422: { description: 'None of the case\u2019s alerts is one this playbook responds to', schema: Problem },
        503: { description: 'No worker answered: the run could not be started', schema: Problem },
      },
      handler: async (req, res) => {
        const { caseId, playbook } = req.params as { caseId: string; playbook: string };
        const body = (req.body ?? {}) as { comment?: string };
        res.locals.audit = { playbook };
        const r = await deps.cases.rerun(caseId, playbook, { actor: actorOf(req), ...(body.comment ? { comment: body.comment } : {}) });
        res.locals.audit = { playbook, run: r.run, workflowId: r.workflowId };
        res.status(202).json({ caseId, playbook, ...r });
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
        const { keepOpen, ...body } = req.body as { verdict: 'true_positive' | 'false_positive' | 'benign'; comment?: string; keepOpen?: boolean };
        res.locals.audit = { verdict: body.verdict };
        const { verdict, suggestions, undoable, cancelled, closed } = await deps.cases.setVerdict(caseId, { ...body, by: req.principal?.name ?? 'unknown' }, { keepOpen });
        res.json({
          caseId,
          verdict,
          suggestedSuppressions: suggestions,
          undo: undoable.map((a) => ({ actionId: a.id, description: a.description, simulated: a.simulated, href: `/v1/cases/${caseId}/actions/${a.id}/undo` })),
          cancelledApprovals: cancelled,
          closed,
        });
      },
    },
    {
      method: 'post',
      path: '/v1/cases/verdicts',
      operationId: 'setCaseVerdicts',
      summary: 'One verdict for many cases at once (e.g. close a burst of false positives)',
      description: 'Each case as if given the verdict alone: a false_positive or benign verdict rejects what waits, offers the undo of what was done and closes the case unless keepOpen. Answers each case\u2019s outcome in order; one case failing does not stop the others.',
      tags: ['cases'],
      roles: ['analyst'],
      body: BulkVerdictBody,
      responses: { 200: { description: 'Each case\u2019s outcome', schema: BulkVerdictResponse } },
      handler: async (req, res) => {
        const { caseIds, keepOpen, ...body } = req.body as { caseIds: string[]; verdict: 'true_positive' | 'false_positive' | 'benign'; comment?: string; keepOpen?: boolean };
        res.locals.audit = { verdict: body.verdict, cases: caseIds.length };
        const results = [];
        for (const caseId of [...new Set(caseIds)]) {
          try {
            const r = await deps.cases.setVerdict(caseId, { ...body, by: actorOf(req) }, { keepOpen });
            results.push({ caseId, status: 200, closed: r.closed, cancelledApprovals: r.cancelled, undo: r.undoable.map((a) => `/v1/cases/${caseId}/actions/${a.id}/undo`) });
          } catch (err) {
            if (!(err instanceof HttpError)) throw err;
            results.push({ caseId, status: err.status, detail: err.message });
          }
        }
        res.json({ results });
      },
    },
    {
      method: 'post',
      path: '/v1/cases/{caseId}/comments',
      operationId: 'commentCase',
      summary: 'Comment on a case (in its timeline, with your name)',
      tags: ['cases'],
      roles: ['analyst'],
      params: CaseIdParams,
      body: CommentBody,
      responses: { 201: { description: 'Recorded', schema: CaseResponse }, 404: { description: 'No such case', schema: Problem } },
      handler: async (req, res) => {
        const caseId = req.params.caseId as string;
        await deps.cases.note(caseId, CaseFact.commented, actorOf(req), { text: (req.body as { text: string }).text });
        res.status(201).json(await deps.cases.read(caseId));
      },
    },
    {
      method: 'post',
      path: '/v1/cases/{caseId}/assign',
      operationId: 'assignCase',
      summary: 'Assign a case to a person (yourself when no assignee is given; null unassigns)',
      tags: ['cases'],
      roles: ['analyst'],
      params: CaseIdParams,
      body: AssignBody,
      responses: { 200: { description: 'Assigned', schema: CaseResponse }, 404: { description: 'No such case', schema: Problem } },
      handler: async (req, res) => {
        const caseId = req.params.caseId as string;
        const body = req.body as { assignee?: string | null };
        const assignee = body.assignee === undefined ? actorOf(req) : body.assignee;
        await deps.cases.note(caseId, CaseFact.assigned, actorOf(req), { assignee });
        res.json(await deps.cases.read(caseId));
      },
    },
    {
      method: 'post',
      path: '/v1/cases/{caseId}/tags',
      operationId: 'tagCase',
      summary: 'Add and remove tags',
      tags: ['cases'],
      roles: ['analyst'],
      params: CaseIdParams,
      body: TagsBody,
      responses: { 200: { description: 'Tagged', schema: CaseResponse }, 404: { description: 'No such case', schema: Problem } },
      handler: async (req, res) => {
        const caseId = req.params.caseId as string;
        const body = req.body as { add?: string[]; remove?: string[] };
        await deps.cases.note(caseId, CaseFact.tagged, actorOf(req), { add: body.add ?? [], remove: body.remove ?? [] });
        res.json(await deps.cases.read(caseId));
      },
    },
    {
      method: 'post',
      path: '/v1/cases/{caseId}/close',
      operationId: 'closeCase',
      summary: 'Close a case with a resolution; approvals still waiting are rejected, saying why',
      tags: ['cases'],
      roles: ['analyst'],
      params: CaseIdParams,
      body: CloseBody,
      responses: {
        200: { description: 'Closed', schema: CaseResponse },
        404: { description: 'No such case', schema: Problem },
        409: { description: 'Already closed', schema: Problem },
        503: { description: 'An approval waits and no worker is running to reject it; retry later', schema: Problem },
      },
      handler: async (req, res) => {
        const { view } = await deps.cases.close(req.params.caseId as string, { resolution: (req.body as { resolution: string }).resolution, actor: actorOf(req) });
        res.json(view);
      },
    },
    {
      method: 'post',
      path: '/v1/cases/{caseId}/reopen',
      operationId: 'reopenCase',
      summary: 'Reopen a closed case',
      tags: ['cases'],
      roles: ['analyst'],
      params: CaseIdParams,
      body: ReopenBody,
      responses: { 200: { description: 'Reopened', schema: CaseResponse }, 404: { description: 'No such case', schema: Problem }, 409: { description: 'Not closed', schema: Problem } },
      handler: async (req, res) => void res.json(await deps.cases.reopen(req.params.caseId as string, { ...(req.body as { comment?: string }), actor: actorOf(req) })),
    },
  ];
}

function actorOf(req: { principal?: { name: string } }): string {
  return req.principal?.name ?? 'unknown';
}
