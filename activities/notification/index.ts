// "Tell people": one activity that sends to every channel the run chose — Slack (with Approve /
// Reject buttons for an approval), a Teams card, e-mail — and pages PagerDuty on an escalation.
// A channel that fails is reported beside the others; only when every channel fails does the
// activity fail (and retry), so one channel's outage never re-sends to the rest more than their
// own idempotency allows.
import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { PageInput, PageResult } from '../pagerduty/types.ts';
import type { PostMessageInput, PostMessageResult } from '../slack/types.ts';
import type { SendEmailInput, SendEmailResult } from '../email/index.ts';
import type { TeamsMessageInput } from '../teams/index.ts';
import { ErrorType } from '../shared/errors.ts';
import type { NotifyInput, NotifyResult } from './types.ts';
import { info } from './info.ts';

export { info };

type Skipped = { status: 'skipped'; reason: string };

export interface NotificationChannels {
  slackPostMessage(i: PostMessageInput): Promise<PostMessageResult>;
  teamsPostMessage(i: TeamsMessageInput): Promise<{ status: 'ok' } | Skipped>;
  emailSend(i: SendEmailInput): Promise<SendEmailResult>;
  pagerdutySendEvent(i: PageInput): Promise<PageResult>;
}

const PD_SEVERITY = (s?: number): PageInput['severity'] => (s === undefined ? 'warning' : s >= 5 ? 'critical' : s >= 4 ? 'error' : s >= 3 ? 'warning' : 'info');

export function createNotificationActivities(channels: NotificationChannels, opts: { publicUrl?: string } = {}) {
  const link = (caseId: string) => (opts.publicUrl ? `${opts.publicUrl.replace(/\/+$/, '')}/v1/cases/${encodeURIComponent(caseId)}` : undefined);
  const send: Record<string, (i: NotifyInput) => Promise<{ status: string; reason?: string }>> = {
    slack: (i) =>
      channels.slackPostMessage({
        text: `*${i.title}*\n${i.text}${link(i.caseId) ? `\n<${link(i.caseId)}|Case ${i.caseId}>` : `\nCase ${i.caseId}`}`,
        idempotencyKey: `${i.idempotencyKey}:slack`,
        ...(i.kind === 'approval' && i.approvalId ? { approval: { caseId: i.caseId, approvalId: i.approvalId } } : {}),
      }),
    teams: (i) => {
      const url = link(i.caseId);
      return channels.teamsPostMessage({ title: i.title, text: i.text, facts: { Case: i.caseId, ...(i.approvalId ? { Approval: i.approvalId } : {}) }, ...(url?.startsWith('https://') ? { link: { title: 'Open the case', url } } : {}) });
    },
    email: (i) => channels.emailSend({ subject: i.title, text: `${i.text}\n\nCase ${i.caseId}${link(i.caseId) ? `: ${link(i.caseId)}` : ''}`, idempotencyKey: `${i.idempotencyKey}:email` }),
    pagerduty: (i) =>
      i.kind === 'escalation'
        ? channels.pagerdutySendEvent({ action: 'trigger', dedupKey: escalationKey(i.caseId, i.idempotencyKey), summary: `${i.title}: ${i.text}`.slice(0, 1024), severity: PD_SEVERITY(i.severity_id), source: 'riposte', details: { caseId: i.caseId, ...(i.approvalId ? { approvalId: i.approvalId } : {}) } })
        : Promise.resolve({ status: 'skipped', reason: 'PagerDuty pages only on escalations' }),
  };
  return {
    async notificationNotify(input: NotifyInput): Promise<NotifyResult> {
      if (!input.idempotencyKey || !input.title?.trim() || !input.text?.trim()) throw ApplicationFailure.nonRetryable('notification: idempotencyKey, title and text are required', ErrorType.invalidInput);
      const delivered = await Promise.all(
        input.channels.map(async (channel): Promise<NotifyResult['delivered'][number]> => {
          const go = send[channel];
          if (!go) return { channel, status: 'skipped', reason: `${channel} is not a notification channel` };
          try {
            const r = await go(input);
            return r.status === 'ok' ? { channel, status: 'ok' } : { channel, status: 'skipped', reason: r.reason ?? r.status };
          } catch (err) {
            return { channel, status: 'failed', reason: ((err as Error).message ?? String(err)).slice(0, 300) };
          }
        })
      );
      const failed = delivered.filter((d) => d.status === 'failed');
      if (failed.length > 0 && failed.length === delivered.length) {
        throw ApplicationFailure.create({ type: ErrorType.unavailable, message: `notification: every channel failed: ${failed.map((f) => `${f.channel}: ${f.reason}`).join('; ')}` });
      }
      return { delivered };
    },
  };
}

/**
 * One PagerDuty incident per escalation: a retry of the same escalation folds into its incident,
 * another unanswered approval of the case pages anew. The case stays readable in the key.
 */
export function escalationKey(caseId: string, idempotencyKey: string): string {
  return `riposte-${caseId}-${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 16)}`;
}
