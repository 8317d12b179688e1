// Runs in the Temporal sandbox. Which alerts start which playbook: each playbook's own route
// (declared beside its code), read in the library's order; an alert may start several. Decided
// here, on the worker side, only — the API never routes, so the two cannot disagree.
import type { NativeAlert } from '../core/alert.ts';
import { PLAYBOOKS, type PlaybookEntry } from './playbooks/index.ts';

export function routesFor(alert: NativeAlert): PlaybookEntry[] {
  return PLAYBOOKS.filter((p) => p.meta.route.matches(alert));
}
