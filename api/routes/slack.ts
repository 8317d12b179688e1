// POST /v1/integrations/slack/interactions — Slack calls this when someone clicks Approve or
// Reject on a message from `slackPostMessage`. The request is verified with Slack's signing
// secret over the raw body (v0, five-minute window, constant time) before anything is parsed;
// only users in SLACK_APPROVERS may decide; the decision goes to the playbook like an API
// decision, in the name of `slack:<user>`; the message is then updated through its response_url.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import type { Request, Response } from 'express';
import { Secret } from '../../config/secret.ts';
import type { Logger } from '../../telemetry/logger.ts';
import type { CaseService } from '../cases.ts';
import type { RouteSpec } from '../openapi.ts';
import { HttpError } from '../problem.ts';
import { Problem } from '../schemas.ts';

export interface SlackInteractionSettings {
  signingSecret?: Secret;
  /** Slack user ids allowed to decide approvals. */
  approvers: string[];
}

const TOLERANCE_SECONDS = 300;

export function slackInteractionSettings(env: Record<string, string | undefined>): SlackInteractionSettings {
  return {
    ...(env.SLACK_SIGNING_SECRET ? { signingSecret: new Secret(env.SLACK_SIGNING_SECRET) } : {}),
    approvers: (env.SLACK_APPROVERS ?? '').split(',').map((s) => s.trim()).filter(Boolean),
  };
}

export function verifySlackSignature(secret: string, timestamp: string | undefined, signature: string | undefined, body: Buffer, now = Math.floor(Date.now() / 1000)): boolean {
  if (!timestamp || !signature || !/^\d{1,12}$/.test(timestamp) || Math.abs(now - Number(timestamp)) > TOLERANCE_SECONDS) return false;
  const expected = Buffer.from(`v0=${createHmac('sha256', secret).update(`v0:${timestamp}:`).update(body).digest('hex')}`);
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

interface BlockActions {
  type: string;
  user?: { id?: string; username?: string; name?: string };
  actions?: Array<{ action_id?: string; value?: string }>;
  response_url?: string;
}

export function slackRoutes(deps: { cases: CaseService; slack: SlackInteractionSettings; logger: Pick<Logger, 'info' | 'warn'> }): RouteSpec[] {
  return [
    {
      method: 'post',
      path: '/v1/integrations/slack/interactions',
      operationId: 'slackInteraction',
      summary: 'Slack interaction callback: Approve / Reject buttons decide approvals',
      description:
        "Slack's request URL for interactivity. Verified with SLACK_SIGNING_SECRET (X-Slack-Signature, X-Slack-Request-Timestamp); " +
        'only SLACK_APPROVERS may decide. Answers 200 to every verified request (Slack shows an error otherwise) and reports the outcome in the channel.',
      tags: ['integrations'],
      roles: 'public',
      rawBody: { 'application/x-www-form-urlencoded': Type.Object({ payload: Type.String({ description: 'The interaction payload, JSON' }) }) },
      headers: [
        { name: 'X-Slack-Signature', description: 'v0=<hex HMAC-SHA256(signing secret, "v0:<timestamp>:<body>")>', required: true },
        { name: 'X-Slack-Request-Timestamp', description: 'Unix seconds; at most five minutes old', required: true },
      ],
      responses: {
        200: { description: 'Verified and handled (the outcome is posted to the message)' },
        401: { description: 'Missing, stale or wrong signature', schema: Problem },
        404: { description: 'Slack interactions are not configured (SLACK_SIGNING_SECRET unset)', schema: Problem },
      },
      handler: (req, res) => handle(req, res, deps),
    },
  ];
}

async function handle(req: Request, res: Response, deps: { cases: CaseService; slack: SlackInteractionSettings; logger: Pick<Logger, 'info' | 'warn'> }): Promise<void> {
  const secret = deps.slack.signingSecret;
  if (!secret) throw new HttpError(404, 'Slack interactions are not configured (SLACK_SIGNING_SECRET is unset)');
  const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  if (!verifySlackSignature(secret.reveal(), req.get('x-slack-request-timestamp'), req.get('x-slack-signature'), body)) {
    deps.logger.warn({ path: req.path }, 'refused a Slack interaction with a bad signature');
    throw new HttpError(401, 'invalid Slack signature');
  }
  let payload: BlockActions;
  try {
    payload = JSON.parse(new URLSearchParams(body.toString('utf8')).get('payload') ?? '') as BlockActions;
  } catch {
    throw new HttpError(400, 'the payload field must be JSON');
  }
  // A Slack user is known by their id: names and handles can be changed by their owner.
  const userId = payload.user?.id ?? '';
  const actor = `slack:${userId}`;
  res.locals.auditActor = { name: actor };
  res.locals.audit = { slackName: payload.user?.username ?? payload.user?.name, action: payload.actions?.[0]?.action_id };
  res.status(200).end(); // Slack wants an answer within 3 s; the outcome goes to response_url
  const action = payload.actions?.[0];
  if (payload.type !== 'block_actions' || !action?.action_id?.startsWith('riposte_')) return;
  const reply = (text: string, replace: boolean) => respond(payload.response_url, replace ? { replace_original: true, text } : { response_type: 'ephemeral', replace_original: false, text }, deps.logger);
  let value: { caseId?: string; approvalId?: string; decision?: string };
  try {
    value = JSON.parse(action.value ?? '') as typeof value;
  } catch {
    return reply('This button does not carry a Riposte approval.', false);
  }
  const decision = action.action_id === 'riposte_approve' ? 'approve' : action.action_id === 'riposte_reject' ? 'reject' : undefined;
  if (!decision || value.decision !== decision || !value.caseId || !value.approvalId) return reply('This button does not carry a Riposte approval.', false);
  const audit = { caseId: value.caseId, approvalId: value.approvalId, decision, actor, via: 'slack' };
  if (!deps.slack.approvers.includes(userId)) {
    deps.logger.warn({ audit: { ...audit, outcome: 'refused', reason: 'not an approver' } }, 'approval refused');
    return reply(`<@${userId}> is not allowed to decide approvals (SLACK_APPROVERS).`, false);
  }
  try {
    await deps.cases.decide(value.caseId, value.approvalId, { decision, comment: 'decided in Slack', actor });
    deps.logger.info({ audit: { ...audit, outcome: 'recorded' } }, 'approval decided');
    return reply(`${decision === 'approve' ? 'Approved' : 'Rejected'} by <@${userId}>: ${value.approvalId} on case ${value.caseId}.`, true);
  } catch (err) {
    const message = err instanceof HttpError ? err.message : 'Riposte could not record the decision; try again or use the API.';
    deps.logger.warn({ audit: { ...audit, outcome: 'refused', error: message } }, 'approval refused');
    return reply(message, false);
  }
}

/** Posts to the message's response_url — only ever to Slack. */
async function respond(url: string | undefined, body: unknown, logger: Pick<Logger, 'warn'>): Promise<void> {
  if (!url) return;
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return;
  }
  if (target.protocol !== 'https:' || !(target.hostname === 'hooks.slack.com' || target.hostname.endsWith('.slack.com'))) return;
  try {
    await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(5000) });
  } catch (err) {
    logger.warn({ err: String(err) }, 'could not update the Slack message');
  }
}
