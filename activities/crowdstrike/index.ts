// CrowdStrike Falcon: contain a host (network isolation by the sensor) and lift it — each
// action with its undo. Idempotent: the device's state is read first, and a host already
// contained (or being contained) is not contained again.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { evidenceIdFor, evidencePaths, existingRecord, pollWithHeartbeat, recordDownload, type AcquisitionRequest, type EvidenceRecord } from '../shared/evidence.ts';
import { Secret } from '../../config/secret.ts';
import { ErrorType } from '../shared/errors.ts';
import { integrationState, defineIntegration } from '../shared/integration.ts';
import { limiterFor } from '../shared/rate-limit.ts';
import { FalconClient } from './client.ts';
import type { ContainHostInput, ContainmentResult } from './types.ts';
import { info } from './info.ts';

export { info };

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

export interface CollectFileInput extends AcquisitionRequest { deviceId: string; path: string }


export function createCrowdStrikeActivities(deps: { client?: FalconClient; evidenceDir?: string; pollMs?: number }) {
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
    /**
     * Collects a file from a host (a memory dump written by `memdump`, a log, a binary) with Real
     * Time Response `get`, stores Falcon's archive of it as evidence. The session and command are
     * heartbeated, so a retry on another worker resumes them.
     */
    async crowdstrikeCollectFile(input: CollectFileInput): Promise<EvidenceRecord | { status: 'skipped'; reason: string }> {
      if (!input.deviceId || !input.path || /[\r\n]/.test(input.path) || input.path.length > 1024 || !input.requestedBy || !input.idempotencyKey) throw invalid('deviceId, path, requestedBy and idempotencyKey are required');
      const evidenceDir = deps.evidenceDir ?? 'data/evidence';
      const paths = evidencePaths(evidenceDir, input.caseId, evidenceIdFor(input.idempotencyKey), '7z');
      const done = existingRecord<EvidenceRecord>(paths);
      if (done) return done;
      if (!deps.client) return { status: 'skipped', reason: 'CrowdStrike is not configured (CROWDSTRIKE_CLIENT_ID, CROWDSTRIKE_CLIENT_SECRET)' };
      const client = deps.client;
      const startedAt = new Date().toISOString();
      const resumed = Context.current().info.heartbeatDetails as { sessionId?: string; requestId?: string } | undefined;
      const sessionId = resumed?.sessionId ?? (await client.rtrSession(input.deviceId));
      const requestId = resumed?.requestId ?? (await client.rtrGet(sessionId, input.deviceId, input.path));
      const pollMs = deps.pollMs ?? 10_000;
      await pollWithHeartbeat({ sessionId, requestId }, async () => {
        const status = await client.rtrCommandStatus(requestId);
        if (status.complete && status.stderr) throw ApplicationFailure.nonRetryable(`crowdstrike: get failed on the host: ${status.stderr.slice(0, 300)}`, ErrorType.tool);
        return status.complete;
      }, pollMs);
      let file: { name: string; sha256: string; size?: number } | undefined;
      // The host uploads the file to the cloud after the command completes.
      await pollWithHeartbeat({ sessionId, requestId }, async () => {
        file = (await client.rtrFiles(sessionId)).find((f) => f.cloud_request_id === requestId || f.name === input.path);
        return Boolean(file?.sha256);
      }, pollMs);
      const found = file as { name: string; sha256: string; size?: number };
      const record = await recordDownload({
        integration: 'crowdstrike',
        evidenceDir,
        paths,
        request: input,
        download: await client.rtrFileDownload(sessionId, found.sha256, found.name),
        kind: 'file',
        source: { host: input.deviceId, device: input.path, ...(found.size !== undefined ? { bytes: found.size } : {}) },
        tool: 'CrowdStrike Real Time Response get (7z, password "infected")',
        toolVersion: 'api',
        vendorSha256: found.sha256,
        vendorActionId: requestId,
        startedAt,
      });
      await client.rtrCloseSession(sessionId);
      return record;
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

/** Registered in activities/catalog.ts. */
export const integration = defineIntegration({ info, activities: (ctx) => createCrowdStrikeActivities({ client: crowdstrikeFromEnv(ctx.env), evidenceDir: ctx.evidenceDir }) });
