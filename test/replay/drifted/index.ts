// Deliberately drifted copies of every playbook: each opens the ticket before doing anything
// else. Replaying the recorded histories against them must fail — the negative control that
// proves the replay test catches a change that would break running playbooks.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../../activities/index.ts';
import type { PlaybookInput } from '../../../workflows/definitions.ts';

const { ticketingOpenTicket, virustotalLookupIp } = proxyActivities<Activities>({ startToCloseTimeout: '10s' });

async function drifted(input: PlaybookInput): Promise<void> {
  await ticketingOpenTicket({ idempotencyKey: 'drifted', caseId: input.caseId ?? 'drifted', title: 'drifted', description: '', severity_id: input.alert?.severity_id ?? 1 });
  await virustotalLookupIp({ ip: '203.0.113.7' });
}

export const suspectedC2Playbook = drifted;
export const neverSeenDomainPlaybook = drifted;
export const malwareOnEndpointPlaybook = drifted;
export const awsInstanceCompromisePlaybook = drifted;
export const awsCredentialCompromisePlaybook = drifted;
export const iocSweepPlaybook = drifted;
