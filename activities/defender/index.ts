// Microsoft Defender for Endpoint: isolate a machine and release it; block an indicator and
// remove the block — each action with its undo. Idempotent: the machine's latest isolation
// action is read first, and an indicator is keyed by its value (Defender updates, not duplicates,
// an indicator submitted again for the same value).
import { Context } from '@temporalio/activity';
import { evidenceIdFor, evidencePaths, existingRecord, pollWithHeartbeat, recordDownload, type AcquisitionRequest, type EvidenceRecord } from '../shared/evidence.ts';
import { ApplicationFailure } from '@temporalio/common';
import { Secret } from '../../config/secret.ts';
import { ErrorType } from '../shared/errors.ts';
import { integrationState, defineIntegration } from '../shared/integration.ts';
import { limiterFor } from '../shared/rate-limit.ts';
import { assertDomain, assertIp, assertUrl } from '../shared/validate.ts';
import { DefenderClient } from './client.ts';
import type { BlockIndicatorInput, IndicatorResult, IsolateInput, MachineActionResult } from './types.ts';
import { info } from './info.ts';

export { info };

export function defenderFromEnv(env: Record<string, string | undefined>): DefenderClient | undefined {
  const state = integrationState(info, env);
  if (!state.configured) return undefined;
  return new DefenderClient({
    baseUrl: (env.DEFENDER_BASE_URL ?? 'https://api.security.microsoft.com').replace(/\/+$/, ''),
    loginUrl: (env.DEFENDER_LOGIN_URL ?? 'https://login.microsoftonline.com').replace(/\/+$/, ''),
    tenantId: env.DEFENDER_TENANT_ID as string,
    clientId: env.DEFENDER_CLIENT_ID as string,
    clientSecret: new Secret(env.DEFENDER_CLIENT_SECRET as string),
    limiter: limiterFor(info.name, state.rateLimit),
  });
}

const SKIP = 'Defender for Endpoint is not configured (DEFENDER_TENANT_ID, DEFENDER_CLIENT_ID, DEFENDER_CLIENT_SECRET)';
const ACTIVE = new Set(['Pending', 'InProgress', 'Succeeded']);
const TYPES = { ip: 'IpAddress', domain: 'DomainName', url: 'Url', hash: 'FileSha256' } as const;

export interface PackageInput extends AcquisitionRequest {
  /** The machine's id; or `computerDnsName`, looked up. */
  machineId?: string;
  computerDnsName?: string;
  comment: string;
}


const FINISHED_BADLY = new Set(['Failed', 'Cancelled', 'TimeOut']);

export function createDefenderActivities(deps: { client?: DefenderClient; evidenceDir?: string; pollMs?: number }) {
  async function machineOf(client: DefenderClient, input: IsolateInput): Promise<string> {
    if (input.machineId) return input.machineId;
    if (!input.computerDnsName) throw invalid('machineId or computerDnsName is required');
    const ids = await client.findMachines(input.computerDnsName);
    if (ids.length !== 1) throw invalid(`${ids.length} machines are named ${input.computerDnsName}; pass machineId`);
    return ids[0] as string;
  }

  async function isolation(input: IsolateInput, type: 'Isolate' | 'Unisolate'): Promise<MachineActionResult> {
    if (!input.comment?.trim()) throw invalid('comment is required');
    if (!deps.client) return { status: 'skipped', vendor: 'defender', reason: SKIP };
    const machineId = await machineOf(deps.client, input);
    const [latest] = await deps.client.isolationActions(machineId);
    if (latest && latest.type === type && ACTIVE.has(latest.status)) return { status: 'ok', vendor: 'defender', machineId, actionId: latest.id, action: type, alreadyInState: true };
    const done = type === 'Isolate' ? await deps.client.isolate(machineId, input.comment, input.isolationType ?? 'Full') : await deps.client.unisolate(machineId, input.comment);
    return { status: 'ok', vendor: 'defender', machineId, actionId: done.id, action: type, alreadyInState: false };
  }

  return {
    async defenderIsolateMachine(input: IsolateInput): Promise<MachineActionResult> {
      return isolation(input, 'Isolate');
    },
    /** The undo of defenderIsolateMachine. */
    async defenderReleaseMachine(input: IsolateInput): Promise<MachineActionResult> {
      return isolation(input, 'Unisolate');
    },
    async defenderBlockIndicator(input: BlockIndicatorInput): Promise<IndicatorResult> {
      const value = checkIndicator(input);
      if (!input.title?.trim() || !input.description?.trim()) throw invalid('title and description are required');
      if (!deps.client) return { status: 'skipped', vendor: 'defender', reason: SKIP };
      const days = Math.min(Math.max(input.expiresInDays ?? 30, 1), 365);
      const created = await deps.client.submitIndicator({
        indicatorValue: value,
        indicatorType: TYPES[input.type],
        action: 'Block',
        title: input.title.slice(0, 100),
        description: input.description.slice(0, 1000),
        severity: 'High',
        generateAlert: true,
        expirationTime: new Date(Date.now() + days * 86_400_000).toISOString(),
      });
      return { status: 'ok', vendor: 'defender', indicatorId: String(created.id) };
    },
    /**
     * Collects a machine's investigation package (forensic triage zip), downloads it into the
     * evidence directory and records it in the chain of custody. Long: it polls the machine action,
     * heartbeating its id, so a retry on another worker resumes the same action instead of asking
     * for a second package.
     */
    async defenderCollectInvestigationPackage(input: PackageInput): Promise<EvidenceRecord | { status: 'skipped'; reason: string }> {
      if (!input.comment?.trim() || !input.idempotencyKey || !input.requestedBy || !(input.machineId || input.computerDnsName)) throw invalid('machineId (or computerDnsName), comment, requestedBy and idempotencyKey are required');
      const evidenceDir = deps.evidenceDir ?? 'data/evidence';
      const paths = evidencePaths(evidenceDir, input.caseId, evidenceIdFor(input.idempotencyKey), 'zip');
      const done = existingRecord<EvidenceRecord>(paths);
      if (done) return done;
      if (!deps.client) return { status: 'skipped', reason: SKIP };
      const client = deps.client;
      const startedAt = new Date().toISOString();
      const resumed = Context.current().info.heartbeatDetails as { actionId?: string; machineId?: string } | undefined;
      const machineId = resumed?.machineId ?? (await machineOf(client, input));
      const actionId = resumed?.actionId ?? (await client.collectInvestigationPackage(machineId, input.comment)).id;
      await pollWithHeartbeat({ actionId, machineId }, async () => {
        const action = await client.machineAction(actionId);
        if (!action) throw invalid(`no machine action ${actionId}`);
        if (FINISHED_BADLY.has(action.status)) throw ApplicationFailure.nonRetryable(`defender: the investigation package ended ${action.status}`, ErrorType.tool);
        return action.status === 'Succeeded';
      }, deps.pollMs ?? 15_000);
      return recordDownload({
        integration: 'defender',
        evidenceDir,
        paths,
        request: input,
        download: { url: await client.packageUri(actionId) },
        kind: 'investigation-package',
        source: { host: input.computerDnsName ? `${input.computerDnsName} (${machineId})` : machineId, device: 'Defender for Endpoint investigation package' },
        tool: 'Microsoft Defender for Endpoint',
        toolVersion: 'api',
        vendorActionId: actionId,
        startedAt,
      });
    },
    /** The undo of defenderBlockIndicator. */
    async defenderRemoveIndicator({ indicatorId }: { indicatorId: string }): Promise<IndicatorResult & { removed?: boolean }> {
      if (!/^\d{1,20}$/.test(String(indicatorId))) throw invalid('indicatorId must be the numeric id Defender returned');
      if (!deps.client) return { status: 'skipped', vendor: 'defender', reason: SKIP };
      return { status: 'ok', vendor: 'defender', indicatorId: String(indicatorId), removed: await deps.client.deleteIndicator(String(indicatorId)) };
    },
  };
}

function checkIndicator(input: BlockIndicatorInput): string {
  switch (input.type) {
    case 'ip':
      return assertIp(input.value);
    case 'domain':
      return assertDomain(input.value);
    case 'url':
      return assertUrl(input.value);
    case 'hash':
      if (!/^[a-f0-9]{64}$/i.test(input.value)) throw invalid('Defender blocks files by SHA-256');
      return input.value.toLowerCase();
    default:
      throw invalid('type must be ip, domain, url or hash');
  }
}

function invalid(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`defender: ${message}`, ErrorType.invalidInput);
}

/** Registered in activities/catalog.ts. */
export const integration = defineIntegration({ info, activities: (ctx) => createDefenderActivities({ client: defenderFromEnv(ctx.env), evidenceDir: ctx.evidenceDir }) });
