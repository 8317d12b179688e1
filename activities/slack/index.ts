// Slack: tell a channel what a case is doing, and ask for approvals with buttons. Idempotent:
// each message carries its idempotency key as Slack message metadata, and a retry looks for it
// in the channel before posting again.
import { ApplicationFailure } from '@temporalio/common';
import { Secret } from '../../config/secret.ts';
import { ErrorType } from '../shared/errors.ts';
import { integrationState, defineIntegration } from '../shared/integration.ts';
import { limiterFor } from '../shared/rate-limit.ts';
import { SlackClient } from './client.ts';
import type { ApprovalButtonValue, PostMessageInput, PostMessageResult } from './types.ts';
import { info } from './info.ts';

export { info };

export const METADATA_EVENT = 'riposte_message';

export function slackFromEnv(env: Record<string, string | undefined>): { client: SlackClient; channel?: string } | undefined {
  const state = integrationState(info, env);
  if (!state.configured) return undefined;
  return {
    client: new SlackClient({ baseUrl: (env.SLACK_BASE_URL ?? 'https://slack.com').replace(/\/+$/, ''), botToken: new Secret(env.SLACK_BOT_TOKEN as string), limiter: limiterFor(info.name, state.rateLimit) }),
    ...(env.SLACK_CHANNEL ? { channel: env.SLACK_CHANNEL } : {}),
  };
}

export function approvalBlocks(text: string, approval: { caseId: string; approvalId: string }): unknown[] {
  const value = (decision: ApprovalButtonValue['decision']) => JSON.stringify({ ...approval, decision } satisfies ApprovalButtonValue);
  return [
    { type: 'section', text: { type: 'mrkdwn', text: text.slice(0, 3000) } },
    {
      type: 'actions',
      block_id: `riposte_approval`,
      elements: [
        { type: 'button', action_id: 'riposte_approve', style: 'primary', text: { type: 'plain_text', text: 'Approve' }, value: value('approve') },
        { type: 'button', action_id: 'riposte_reject', style: 'danger', text: { type: 'plain_text', text: 'Reject' }, value: value('reject') },
      ],
    },
  ];
}

export function createSlackActivities(deps: { client?: SlackClient; channel?: string }) {
  return {
    async slackPostMessage(input: PostMessageInput): Promise<PostMessageResult> {
      if (!input.text?.trim()) throw invalid('text is required');
      if (!input.idempotencyKey) throw invalid('idempotencyKey is required');
      if (!deps.client) return { status: 'skipped', reason: 'Slack is not configured (SLACK_BOT_TOKEN unset)' };
      const channel = input.channel ?? deps.channel;
      if (!channel) throw invalid('no channel: pass one or set SLACK_CHANNEL');
      const earlier = (await deps.client.recentMessages(channel)).find(
        (m) => m.metadata?.event_type === METADATA_EVENT && m.metadata.event_payload?.idempotency_key === input.idempotencyKey
      );
      if (earlier) return { status: 'ok', channel, ts: earlier.ts, alreadySent: true };
      const posted = await deps.client.postMessage({
        channel,
        text: input.text.slice(0, 4000),
        ...(input.approval ? { blocks: approvalBlocks(input.text, input.approval) } : {}),
        metadata: { event_type: METADATA_EVENT, event_payload: { idempotency_key: input.idempotencyKey } },
        unfurl_links: false,
      });
      return { status: 'ok', channel: posted.channel, ts: posted.ts, alreadySent: false };
    },
  };
}

function invalid(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`slack: ${message}`, ErrorType.invalidInput);
}

/** Registered in activities/catalog.ts. */
export const integration = defineIntegration({ info, activities: (ctx) => createSlackActivities(slackFromEnv(ctx.env) ?? {}) });
