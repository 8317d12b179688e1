// Runs in the Temporal sandbox. The worker's workflowsPath: every workflow type, by name.
// Workflow type names are public API (README, "Stable names").
export { suspectedC2Playbook } from './playbooks/suspected-c2.ts';
export { awsInstanceCompromisePlaybook } from './playbooks/aws-instance-compromise.ts';
export { awsCredentialCompromisePlaybook } from './playbooks/aws-credential-compromise.ts';
export { neverSeenDomainPlaybook } from './playbooks/never-seen-domain.ts';
export { malwareOnEndpointPlaybook } from './playbooks/malware-on-endpoint.ts';
export { iocSweepPlaybook } from './playbooks/ioc-sweep.ts';
export { caseWorkflow } from './case.ts';
export { playbookCatalogWorkflow } from './catalog.ts';
export { undoActionWorkflow } from './undo.ts';
export { slaBreachWorkflow } from './sla.ts';
