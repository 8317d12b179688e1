// The default containment driver: records what would be blocked and changes nothing, so a
// first start of Riposte never touches the machine's firewall.
import type { Logger } from '../../telemetry/logger.ts';
import type { EgressBlocker } from './types.ts';

export function logOnlyEgressBlocker(logger: Pick<Logger, 'warn'>): EgressBlocker {
  return {
    name: 'log-only',
    async block(input) {
      const actions = input.addresses.map(
        (a) => `would block egress${input.hostIp ? ` from ${input.hostIp}` : ''} to ${a} (log-only: no firewall changed)`
      );
      logger.warn({ caseId: input.caseId, addresses: input.addresses, hostIp: input.hostIp }, 'log-only containment: egress block recorded, not applied');
      return { driver: 'log-only', actions, refs: [], alreadyPresent: 0 };
    },
    async unblock() {
      return { driver: 'log-only', removed: 0 };
    },
  };
}
