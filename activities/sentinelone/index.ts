// SentinelOne: network-quarantine an agent (disconnect) and release it (connect) — each action
// with its undo. Idempotent: the agent's network status is read first.
import { ApplicationFailure } from '@temporalio/common';
import { Secret } from '../../config/secret.ts';
import { ErrorType } from '../shared/errors.ts';
import { integrationState, defineIntegration } from '../shared/integration.ts';
import { limiterFor } from '../shared/rate-limit.ts';
import { SentinelOneClient } from './client.ts';
import { info } from './info.ts';

export { info };

export interface QuarantineInput {
  /** The agent's id, or a computer name to look up. */
  agentId?: string;
  computerName?: string;
  reason: string;
}

export interface QuarantineResult {
  status: 'ok' | 'skipped';
  vendor: 'sentinelone';
  agentId?: string;
  action?: 'disconnect' | 'connect';
  alreadyInState?: boolean;
  reason?: string;
}

export function sentineloneFromEnv(env: Record<string, string | undefined>): SentinelOneClient | undefined {
  const state = integrationState(info, env);
  if (!state.configured) return undefined;
  return new SentinelOneClient({ baseUrl: (env.SENTINELONE_URL as string).replace(/\/+$/, ''), apiToken: new Secret(env.SENTINELONE_API_TOKEN as string), limiter: limiterFor(info.name, state.rateLimit) });
}

const STATE = { disconnect: new Set(['disconnected', 'disconnecting']), connect: new Set(['connected', 'connecting']) };

export function createSentinelOneActivities(deps: { client?: SentinelOneClient }) {
  async function act(input: QuarantineInput, action: 'disconnect' | 'connect'): Promise<QuarantineResult> {
    if (!input.reason?.trim()) throw invalid('reason is required');
    if (!input.agentId && !input.computerName) throw invalid('agentId or computerName is required');
    if (!deps.client) return { status: 'skipped', vendor: 'sentinelone', reason: 'SentinelOne is not configured (SENTINELONE_URL, SENTINELONE_API_TOKEN)' };
    const agents = await deps.client.agents(input.agentId ? { id: input.agentId } : { computerName: input.computerName as string });
    if (agents.length !== 1) throw invalid(`${agents.length} agents match ${input.agentId ?? input.computerName}; pass agentId`);
    const agent = agents[0] as { id: string; networkStatus: string };
    if (STATE[action].has(agent.networkStatus)) return { status: 'ok', vendor: 'sentinelone', agentId: agent.id, action, alreadyInState: true };
    if ((await deps.client.action(action, agent.id)) < 1) throw ApplicationFailure.create({ type: ErrorType.unavailable, message: `sentinelone: ${action} affected no agent` });
    return { status: 'ok', vendor: 'sentinelone', agentId: agent.id, action, alreadyInState: false };
  }
  return {
    async sentineloneDisconnectAgent(input: QuarantineInput): Promise<QuarantineResult> {
      return act(input, 'disconnect');
    },
    /** The undo of sentineloneDisconnectAgent. */
    async sentineloneReconnectAgent(input: QuarantineInput): Promise<QuarantineResult> {
      return act(input, 'connect');
    },
  };
}

function invalid(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`sentinelone: ${message}`, ErrorType.invalidInput);
}

/** Registered in activities/catalog.ts. */
export const integration = defineIntegration({ info, activities: (ctx) => createSentinelOneActivities({ client: sentineloneFromEnv(ctx.env) }) });
