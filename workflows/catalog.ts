// Runs in the Temporal sandbox. The playbook catalog, answered by the worker's own code: the API
// asks this workflow (and caches the answer) instead of importing playbooks, so a new playbook
// needs no API deploy and the two never disagree about what exists.
import type { PlaybookInfo } from './definitions.ts';
import { playbookInfo } from './playbook.ts';
import { PLAYBOOKS } from './playbooks/index.ts';

export async function playbookCatalogWorkflow(): Promise<PlaybookInfo[]> {
  return PLAYBOOKS.map((p) => playbookInfo(p.meta, p.workflowType));
}
