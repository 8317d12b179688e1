// A deliberately drifted copy of the suspected-C2 playbook: it opens the ticket before
// enriching. Replaying recorded histories against it must fail — the negative control that
// proves the replay test can catch a change that would break running playbooks.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../../activities/index.ts';
import type { PlaybookInput } from '../../../workflows/definitions.ts';

const { ticketingOpenTicket, virustotalLookupIp } = proxyActivities<Activities>({ startToCloseTimeout: '10s' });

export async function suspectedC2Playbook(input: PlaybookInput): Promise<void> {
  await ticketingOpenTicket({ idempotencyKey: 'drifted', caseId: input.caseId, title: 'drifted', description: '', severity_id: input.alert.severity_id });
  await virustotalLookupIp({ ip: '203.0.113.7' });
}
