// PagerDuty Events API v2: page the on-call about a case, acknowledge, resolve. Idempotent by
// design: every event about a case carries the case's dedup key, and PagerDuty folds repeats of a
// trigger into the open incident.
import { ApplicationFailure } from '@temporalio/common';
import { Secret } from '../../config/secret.ts';
import { ErrorType } from '../shared/errors.ts';
import { integrationState, defineIntegration } from '../shared/integration.ts';
import { limiterFor } from '../shared/rate-limit.ts';
import { PagerDutyClient } from './client.ts';
import type { PageInput, PageResult } from './types.ts';
import { info } from './info.ts';

export { info };

export function pagerdutyFromEnv(env: Record<string, string | undefined>): PagerDutyClient | undefined {
  const state = integrationState(info, env);
  if (!state.configured) return undefined;
  return new PagerDutyClient({
    baseUrl: (env.PAGERDUTY_BASE_URL ?? 'https://events.pagerduty.com').replace(/\/+$/, ''),
    routingKey: new Secret(env.PAGERDUTY_ROUTING_KEY as string),
    limiter: limiterFor(info.name, state.rateLimit),
  });
}

export function createPagerDutyActivities(deps: { client?: PagerDutyClient }) {
  return {
    async pagerdutySendEvent(input: PageInput): Promise<PageResult> {
      if (!['trigger', 'acknowledge', 'resolve'].includes(input.action)) throw invalid('action must be trigger, acknowledge or resolve');
      if (!input.dedupKey || input.dedupKey.length > 255) throw invalid('dedupKey is required (at most 255 characters)');
      if (input.action === 'trigger' && !input.summary?.trim()) throw invalid('a trigger needs a summary');
      if (!deps.client) return { status: 'skipped', reason: 'PagerDuty is not configured (PAGERDUTY_ROUTING_KEY unset)' };
      const { dedup_key } = await deps.client.enqueue(input);
      return { status: 'ok', dedupKey: dedup_key, action: input.action };
    },
  };
}

function invalid(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`pagerduty: ${message}`, ErrorType.invalidInput);
}

/** Registered in activities/catalog.ts. */
export const integration = defineIntegration({ info, activities: (ctx) => createPagerDutyActivities({ client: pagerdutyFromEnv(ctx.env) }) });
