// Runs in the Temporal sandbox. Which alerts start which playbook — routing rules in code,
// read in order; an alert may start several playbooks, each at most once per case.
import { alertHost, alertRemote, type NativeAlert } from '../core/alert.ts';
import { Playbook } from './definitions.ts';

export interface Route {
  playbook: Playbook;
  /** Shown in the README and the case timeline. */
  description: string;
  matches(alert: NativeAlert): boolean;
}

export const ROUTES: readonly Route[] = [
  {
    playbook: Playbook.suspectedC2,
    description: 'an internal host (source side) talking to a remote IP or domain (destination side), severity Low or above',
    matches: (a) => {
      const host = alertHost(a);
      const remote = alertRemote(a);
      return Boolean(host.hostname ?? host.ip) && remote.ips.length + remote.domains.length > 0 && a.severity_id >= 2;
    },
  },
];

export function routesFor(alert: NativeAlert): Playbook[] {
  return ROUTES.filter((r) => r.matches(alert)).map((r) => r.playbook);
}
