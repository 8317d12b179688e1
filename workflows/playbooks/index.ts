// Runs in the Temporal sandbox. The playbook library: every playbook, once. Adding one is a file
// in this folder (see docs/playbooks.md, or `npm run playbook -- new <name>`) and one line here;
// the case workflow routes alerts to it, the catalog (GET /v1/playbooks) lists it, and the API
// needs no change.
import type { PlaybookInput } from '../definitions.ts';
import type { PlaybookMeta } from '../playbook.ts';
import type { PlaybookView } from '../../core/case.ts';
import { suspectedC2, suspectedC2Playbook } from './suspected-c2.ts';

export interface PlaybookEntry {
  meta: PlaybookMeta;
  /** The workflow type: the exported function's name (also in workflows/index.ts). */
  workflowType: string;
  workflow: (input: PlaybookInput) => Promise<PlaybookView>;
}

export const PLAYBOOKS: readonly PlaybookEntry[] = [
  { meta: suspectedC2, workflowType: 'suspectedC2Playbook', workflow: suspectedC2Playbook },
];

export function playbookByName(name: string): PlaybookEntry | undefined {
  return PLAYBOOKS.find((p) => p.meta.name === name);
}
