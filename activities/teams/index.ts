// Microsoft Teams: a message card in a channel through a Teams Workflows webhook ("Post to a
// channel when a webhook request is received"). The webhook URL is the secret.
import { ApplicationFailure } from '@temporalio/common';
import { Secret } from '../../config/secret.ts';
import { ErrorType } from '../shared/errors.ts';
import { httpRequest } from '../shared/http.ts';
import { integrationState, defineIntegration } from '../shared/integration.ts';
import { limiterFor, type RateLimiter } from '../shared/rate-limit.ts';
import { info } from './info.ts';

export { info };

export interface TeamsOptions { url: Secret; limiter?: RateLimiter; timeoutMs?: number }

export function teamsFromEnv(env: Record<string, string | undefined>): TeamsOptions | undefined {
  const state = integrationState(info, env);
  if (!state.configured) return undefined;
  return { url: new Secret(env.TEAMS_WEBHOOK_URL as string), limiter: limiterFor(info.name, state.rateLimit) };
}

export interface TeamsMessageInput {
  title: string;
  text: string;
  /** Name/value lines under the text (case id, host, verdict …). */
  facts?: Record<string, string>;
  /** A button to the case. */
  link?: { title: string; url: string };
}

/** The Adaptive Card payload Teams Workflows expect. */
export function adaptiveCard(input: TeamsMessageInput): unknown {
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body: [
            { type: 'TextBlock', text: input.title.slice(0, 200), weight: 'Bolder', size: 'Medium', wrap: true },
            { type: 'TextBlock', text: input.text.slice(0, 4000), wrap: true },
            ...(input.facts ? [{ type: 'FactSet', facts: Object.entries(input.facts).map(([title, value]) => ({ title, value: String(value).slice(0, 500) })) }] : []),
          ],
          ...(input.link ? { actions: [{ type: 'Action.OpenUrl', title: input.link.title, url: input.link.url }] } : {}),
        },
      },
    ],
  };
}

export function createTeamsActivities(deps: { teams?: TeamsOptions }) {
  return {
    async teamsPostMessage(input: TeamsMessageInput): Promise<{ status: 'ok' } | { status: 'skipped'; reason: string }> {
      if (!input.title?.trim() || !input.text?.trim()) throw ApplicationFailure.nonRetryable('teams: title and text are required', ErrorType.invalidInput);
      if (input.link && !/^https:\/\//.test(input.link.url)) throw ApplicationFailure.nonRetryable('teams: link.url must be https', ErrorType.invalidInput);
      if (!deps.teams) return { status: 'skipped', reason: 'Teams is not configured (TEAMS_WEBHOOK_URL unset)' };
      const res = await httpRequest({ integration: 'teams', method: 'POST', url: deps.teams.url.reveal(), body: adaptiveCard(input), timeoutMs: deps.teams.timeoutMs, limiter: deps.teams.limiter });
      if (res.status === 404) throw ApplicationFailure.nonRetryable('teams: the webhook does not exist (HTTP 404); check TEAMS_WEBHOOK_URL', ErrorType.request);
      return { status: 'ok' };
    },
  };
}

/** Registered in activities/catalog.ts. */
export const integration = defineIntegration({ info, activities: (ctx) => createTeamsActivities({ teams: teamsFromEnv(ctx.env) }) });
