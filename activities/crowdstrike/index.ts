// CrowdStrike Falcon: contain a host (network isolation by the sensor) and lift it — each
// action with its undo. Idempotent: the device's state is read first, and a host already
// contained (or being contained) is not contained again.
import { ApplicationFailure } from '@temporalio/common';
import { Secret } from '../../config/secret.ts';
import { ErrorType } from '../shared/errors.ts';
import { integrationState, type IntegrationInfo } from '../shared/integration.ts';
import { limiterFor } from '../shared/rate-limit.ts';
import { FalconClient } from './client.ts';
import type { ContainHostInput, ContainmentResult } from './types.ts';

export const info: IntegrationInfo = {
  name: 'crowdstrike',
  title: 'CrowdStrike Falcon host containment (contain / lift)',
  category: 'containment',
  docUrl: 'https://developer.crowdstrike.com/docs/openapi/',
  activities: ['crowdstrikeContainHost', 'crowdstrikeLiftContainment'],
  settings: [
    { name: 'CROWDSTRIKE_CLIENT_ID', description: 'API client id (scope Hosts: read, write)', required: true },
    { name: 'CROWDSTRIKE_CLIENT_SECRET', description: 'API client secret', required: true, secret: true },
    { name: 'CROWDSTRIKE_BASE_URL', description: 'the cloud: https://api.crowdstrike.com (us-1), api.us-2…, api.eu-1…' },
  ],
  // The Falcon API allows 6,000 requests a minute per customer.
  rateLimit: { limit: 100, intervalMs: 1000 },
};

export function crowdstrikeFromEnv(env: Record<string, string | undefined>): FalconClient | undefined {
  const state = integrationState(info, env);
  if (!state.configured) return undefined;
  return new FalconClient({
    baseUrl: (env.CROWDSTRIKE_BASE_URL ?? 'https://api.crowdstrike.com').replace(/\/+$/, ''),
    clientId: env.CROWDSTRIKE_CLIENT_ID as string,
    clientSecret: new Secret(env.CROWDSTRIKE_CLIENT_SECRET as string),
    limiter: limiterFor(info.name, state.rateLimit),
  });
}

const CONTAINED = new Set(['contained', 'containment_pending']);
const RELEASED = new Set(['normal', 'lift_containment_pending']);

export function createCrowdStrikeActivities(deps: { client?: FalconClient }) {
  async function act(input: ContainHostInput, action: 'contain' | 'lift_containment'): Promise<ContainmentResult> {
    if (!input.reason?.trim()) throw invalid('reason is required');
    if (!input.deviceId && !input.hostname) throw invalid('deviceId or hostname is required');
    if (!deps.client) return { status: 'skipped', vendor: 'crowdstrike', reason: 'CrowdStrike is not configured (CROWDSTRIKE_CLIENT_ID, CROWDSTRIKE_CLIENT_SECRET)' };
    const id = input.deviceId ?? (await resolve(deps.client, input.hostname as string));
    const before = await deps.client.deviceStatus(id);
    if (before === undefined) throw invalid(`no Falcon device ${id}`);
    if ((action === 'contain' ? CONTAINED : RELEASED).has(before)) return { status: 'ok', vendor: 'crowdstrike', deviceId: id, action, alreadyInState: true, state: before };
    await deps.client.deviceAction(action, id);
    return { status: 'ok', vendor: 'crowdstrike', deviceId: id, action, alreadyInState: false, state: action === 'contain' ? 'containment_pending' : 'lift_containment_pending' };
  }
  return {
    async crowdstrikeContainHost(input: ContainHostInput): Promise<ContainmentResult> {
      return act(input, 'contain');
    },
    /** The undo of crowdstrikeContainHost. */
    async crowdstrikeLiftContainment(input: ContainHostInput): Promise<ContainmentResult> {
      return act(input, 'lift_containment');
    },
  };
}

async function resolve(client: FalconClient, hostname: string): Promise<string> {
  const ids = await client.findDevices(hostname);
  if (ids.length === 0) throw invalid(`no Falcon device has hostname ${hostname}`);
  if (ids.length > 1) throw invalid(`${ids.length} Falcon devices have hostname ${hostname}; pass deviceId`);
  return ids[0] as string;
}

function invalid(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`crowdstrike: ${message}`, ErrorType.invalidInput);
}
