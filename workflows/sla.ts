// Runs in the Temporal sandbox. A case missed a service level (not acknowledged, or not contained,
// in time): whoever is configured to hear — the notification channels, and PagerDuty — is told,
// once. Started by the API's SLA watch with an ID derived from the case and the target, so a
// breach escalates at most once.
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import { LOCAL, NOTIFY } from './blocks/activity-options.ts';
import type { SlaBreachInput } from './definitions.ts';

export async function slaBreachWorkflow(input: SlaBreachInput): Promise<{ told: string[]; skipped?: string }> {
  const { playbookReadContext } = proxyLocalActivities<Activities>(LOCAL);
  const { providers } = await playbookReadContext({ playbook: 'sla', settings: {} });
  const channels = [...new Set([...providers.page, ...providers.notify])];
  if (channels.length === 0) return { told: [], skipped: 'no notification channel or pager is configured' };
  const { notificationNotify } = proxyActivities<Activities>(NOTIFY);
  const result = await notificationNotify({
    kind: 'escalation',
    idempotencyKey: `sla:${input.caseId}:${input.kind}`,
    caseId: input.caseId,
    severity_id: input.severity_id,
    title: `[Riposte] SLA missed — ${input.kind === 'acknowledge' ? 'not acknowledged' : 'not contained'}: ${input.title}`,
    text: `Case ${input.caseId} (${input.severity}) was due to be ${input.kind === 'acknowledge' ? 'acknowledged' : 'contained'} by ${input.due} and is not.`,
    channels,
  });
  return { told: result.delivered.filter((d) => d.status === 'ok').map((d) => d.channel) };
}
