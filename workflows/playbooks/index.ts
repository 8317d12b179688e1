// Runs in the Temporal sandbox. The playbook library: every playbook, once. Adding one is a file
// in this folder (see docs/playbooks.md, or `npm run playbook -- new <name>`) and one line here;
// the case workflow routes alerts to it, the catalog (GET /v1/playbooks) lists it, and the API
// needs no change.
import type { PlaybookInput } from '../definitions.ts';
import type { PlaybookMeta } from '../playbook.ts';
import type { PlaybookView } from '../../core/case.ts';
import { suspectedC2, suspectedC2Playbook } from './suspected-c2.ts';
import { awsInstanceCompromise, awsInstanceCompromisePlaybook } from './aws-instance-compromise.ts';
import { awsCredentialCompromise, awsCredentialCompromisePlaybook } from './aws-credential-compromise.ts';
import { neverSeenDomain, neverSeenDomainPlaybook } from './never-seen-domain.ts';
import { malwareOnEndpoint, malwareOnEndpointPlaybook } from './malware-on-endpoint.ts';
import { iocSweep, iocSweepPlaybook } from './ioc-sweep.ts';

export interface PlaybookEntry {
  meta: PlaybookMeta;
  /** The workflow type: the exported function's name (also in workflows/index.ts). */
  workflowType: string;
  workflow: (input: PlaybookInput) => Promise<PlaybookView>;
}

export const PLAYBOOKS: readonly PlaybookEntry[] = [
  { meta: suspectedC2, workflowType: 'suspectedC2Playbook', workflow: suspectedC2Playbook },
  { meta: awsInstanceCompromise, workflowType: 'awsInstanceCompromisePlaybook', workflow: awsInstanceCompromisePlaybook },
  { meta: awsCredentialCompromise, workflowType: 'awsCredentialCompromisePlaybook', workflow: awsCredentialCompromisePlaybook },
  { meta: neverSeenDomain, workflowType: 'neverSeenDomainPlaybook', workflow: neverSeenDomainPlaybook },
  { meta: malwareOnEndpoint, workflowType: 'malwareOnEndpointPlaybook', workflow: malwareOnEndpointPlaybook },
  { meta: iocSweep, workflowType: 'iocSweepPlaybook', workflow: iocSweepPlaybook },
];

export function playbookByName(name: string): PlaybookEntry | undefined {
  return PLAYBOOKS.find((p) => p.meta.name === name);
}
