// Runs in the Temporal sandbox. The worker's workflowsPath: every workflow type, by name.
// Workflow type names are public API (README, "Stable names").
export { suspectedC2Playbook } from './playbooks/suspected-c2.ts';
export { caseWorkflow } from './case.ts';
export { playbookCatalogWorkflow } from './catalog.ts';
export { undoActionWorkflow } from './undo.ts';
