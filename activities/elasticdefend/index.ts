// Elastic Defend: a memory dump of an endpoint (kernel, or one process) through Kibana's
// response actions, downloaded into the evidence directory and recorded in the chain of
// custody. Long: it polls the action, heartbeating its id, so a retry resumes the same action.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { Secret } from '../../config/secret.ts';
import { ErrorType } from '../shared/errors.ts';
import { evidenceIdFor, evidencePaths, existingRecord, pollWithHeartbeat, recordDownload, type AcquisitionRequest, type EvidenceRecord } from '../shared/evidence.ts';
import { integrationState, defineIntegration } from '../shared/integration.ts';
import { limiterFor } from '../shared/rate-limit.ts';
import { ElasticDefendClient } from './client.ts';
import { info } from './info.ts';

export { info };

export function elasticdefendFromEnv(env: Record<string, string | undefined>): ElasticDefendClient | undefined {
  const state = integrationState(info, env);
  if (!state.configured) return undefined;
  return new ElasticDefendClient({ kibanaUrl: (env.KIBANA_URL as string).replace(/\/+$/, ''), authorization: new Secret(env.KIBANA_AUTHORIZATION as string), limiter: limiterFor(info.name, state.rateLimit) });
}

export interface MemoryDumpInput extends AcquisitionRequest {
  /** The Elastic Defend endpoint (agent) id; or `hostname`, looked up. */
  endpointId?: string;
  hostname?: string;
  /** kernel: the whole memory (default); process: one process by pid. */
  type?: 'kernel' | 'process';
  pid?: number;
  comment: string;
}


export function createElasticDefendActivities(deps: { client?: ElasticDefendClient; evidenceDir?: string; pollMs?: number }) {
  return {
    async elasticdefendMemoryDump(input: MemoryDumpInput): Promise<EvidenceRecord | { status: 'skipped'; reason: string }> {
      if (!(input.endpointId || input.hostname) || !input.comment?.trim() || !input.requestedBy || !input.idempotencyKey) throw invalid('endpointId (or hostname), comment, requestedBy and idempotencyKey are required');
      const type = input.type ?? 'kernel';
      if (type === 'process' && !(Number.isInteger(input.pid) && (input.pid as number) > 0)) throw invalid('a process dump needs a pid');
      const evidenceDir = deps.evidenceDir ?? 'data/evidence';
      const paths = evidencePaths(evidenceDir, input.caseId, evidenceIdFor(input.idempotencyKey), 'dmp.zip');
      const done = existingRecord<EvidenceRecord>(paths);
      if (done) return done;
      if (!deps.client) return { status: 'skipped', reason: 'Elastic Defend is not configured (KIBANA_URL, KIBANA_AUTHORIZATION)' };
      const client = deps.client;
      const startedAt = new Date().toISOString();
      const resumed = Context.current().info.heartbeatDetails as { actionId?: string; endpointId?: string } | undefined;
      const endpointId = resumed?.endpointId ?? input.endpointId ?? (await endpointOf(client, input.hostname as string));
      const actionId = resumed?.actionId ?? (await client.memoryDump(endpointId, input.comment, type === 'kernel' ? { type } : { type, pid: input.pid })).id;
      await pollWithHeartbeat({ actionId, endpointId }, async () => {
        const action = await client.action(actionId);
        if (!action) throw invalid(`no response action ${actionId}`);
        if (action.isCompleted && !action.wasSuccessful) {
          throw ApplicationFailure.nonRetryable(`elasticdefend: the memory dump failed on the endpoint${action.errors?.length ? `: ${action.errors.join('; ').slice(0, 300)}` : ''}`, ErrorType.tool);
        }
        return action.isCompleted;
      }, deps.pollMs ?? 15_000);
      return recordDownload({
        integration: 'elasticdefend',
        evidenceDir,
        paths,
        request: input,
        download: { url: client.fileUrl(actionId, endpointId), headers: { authorization: client.authorization.reveal(), 'kbn-xsrf': 'riposte', 'elastic-api-version': '2023-10-31' } },
        kind: 'memory-dump',
        source: { host: input.hostname ? `${input.hostname} (${endpointId})` : endpointId, device: type === 'kernel' ? 'memory (kernel)' : `memory (process ${input.pid})` },
        tool: 'Elastic Defend memory_dump',
        toolVersion: 'api 2023-10-31',
        vendorActionId: actionId,
        startedAt,
      });
    },
  };
}

async function endpointOf(client: ElasticDefendClient, hostname: string): Promise<string> {
  const ids = await client.findEndpoints(hostname);
  if (ids.length !== 1) throw invalid(`${ids.length} Elastic Defend endpoints are named ${hostname}; pass endpointId`);
  return ids[0] as string;
}

function invalid(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`elasticdefend: ${message}`, ErrorType.invalidInput);
}

/** Registered in activities/catalog.ts. */
export const integration = defineIntegration({ info, activities: (ctx) => createElasticDefendActivities({ client: elasticdefendFromEnv(ctx.env), evidenceDir: ctx.evidenceDir }) });
