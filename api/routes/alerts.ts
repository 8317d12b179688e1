// POST /v1/alerts — alert sources post OCSF Detection Findings; each starts (at most once)
// the playbook for its case.
import { SpanStatusCode } from '@opentelemetry/api';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { alertHost, alertRemote, type NativeAlert } from '../../core/alert.ts';
import { tracer } from '../../telemetry/index.ts';
import type { suspectedC2Playbook } from '../../workflows/playbooks/suspected-c2.ts';
import { Playbook, playbookWorkflowId, type PlaybookInput, type PlaybookSettings } from '../../workflows/definitions.ts';
import type { RouteSpec } from '../openapi.ts';
import { HttpError } from '../problem.ts';
import { AlertAccepted, OcsfDetectionFinding, Problem, type OcsfDetectionFinding as Finding } from '../schemas.ts';
import { NormalizationError, normalizeOcsf } from '../sources/ocsf.ts';

export interface AlertRouteDeps {
  client: Client;
  taskQueue: string;
  settings: PlaybookSettings;
}

/** In this release a case is one alert: its id derives from the alert's own id. */
export function caseIdFor(alert: Pick<NativeAlert, 'id'>): string {
  return `cs_${alert.id.slice(3)}`;
}

export function alertRoutes(deps: AlertRouteDeps): RouteSpec[] {
  return [
    {
      method: 'post',
      path: '/v1/alerts',
      operationId: 'postAlert',
      summary: 'Post an alert (OCSF Detection Finding)',
      description:
        'Accepts one OCSF Detection Finding (class_uid 2004). The alert needs an internal host (src_endpoint, or a src_endpoint/device observable) ' +
        'and a remote IP or domain (dst_endpoint, query.hostname, or a dst_endpoint/query observable). Re-sending the same finding_info.uid ' +
        'answers with the same ids and starts nothing new.',
      tags: ['alerts'],
      roles: ['source'],
      body: OcsfDetectionFinding,
      responses: {
        202: { description: 'Accepted; the playbook for the case is running', schema: AlertAccepted },
        400: { description: 'Malformed JSON, or a finding that does not fit the schema; `errors[]` names each field', schema: Problem },
        413: { description: 'Body larger than RIPOSTE_MAX_BODY_BYTES', schema: Problem },
        422: { description: 'Valid OCSF, but no playbook can act on it (no host or no remote side)', schema: Problem },
      },
      handler: async (req, res) => {
        const result = await tracer.startActiveSpan('ingest alert', async (span) => {
          try {
            return await ingest(deps, req.body as Finding);
          } catch (err) {
            span.setStatus({ code: SpanStatusCode.ERROR });
            throw err;
          } finally {
            span.end();
          }
        });
        res.status(202).json(result);
      },
    },
  ];
}

async function ingest(deps: AlertRouteDeps, finding: Finding): Promise<{ alertId: string; caseId: string; duplicate: boolean }> {
  let alert: NativeAlert;
  try {
    alert = normalizeOcsf(finding);
  } catch (err) {
    if (err instanceof NormalizationError) throw new HttpError(400, `invalid alert: ${err.message}`, err.errors);
    throw err;
  }
  const host = alertHost(alert);
  const remote = alertRemote(alert);
  if (!host.ip && !host.hostname) {
    throw new HttpError(422, 'the alert names no internal host: give evidences[].src_endpoint (ip or hostname) or a src_endpoint observable');
  }
  if (remote.ips.length === 0 && remote.domains.length === 0) {
    throw new HttpError(422, 'the alert names no remote IP or domain: give evidences[].dst_endpoint, evidences[].query.hostname, or a dst_endpoint observable');
  }
  const caseId = caseIdFor(alert);
  const input: PlaybookInput = { caseId, alert, settings: deps.settings };
  try {
    await deps.client.workflow.start<typeof suspectedC2Playbook>('suspectedC2Playbook', {
      workflowId: playbookWorkflowId(Playbook.suspectedC2, caseId),
      taskQueue: deps.taskQueue,
      args: [input],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
    return { alertId: alert.id, caseId, duplicate: false };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return { alertId: alert.id, caseId, duplicate: true };
    throw err;
  }
}
