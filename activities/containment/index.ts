// Containment activities: block egress and its undo, through the driver RIPOSTE_CONTAINMENT picks.
import { isIP } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../shared/errors.ts';
import type { BlockEgressInput, BlockEgressResult, EgressBlocker, UnblockEgressInput, UnblockEgressResult } from './types.ts';
import type { IntegrationInfo } from '../shared/integration.ts';

export const info: IntegrationInfo = {
  name: 'containment',
  title: 'Containment: block and unblock egress (driver RIPOSTE_CONTAINMENT: log-only or nftables)',
  category: 'containment',
  docUrl: 'activities/containment/README.md',
  activities: ['containmentBlockEgress', 'containmentUnblockEgress'],
  settings: [{ name: 'RIPOSTE_CONTAINMENT', description: 'log-only (default) or nftables' }],
};

export function createContainmentActivities(deps: { egress: EgressBlocker }) {
  return {
    async containmentBlockEgress(input: BlockEgressInput): Promise<BlockEgressResult> {
      const bad = input.addresses.find((a) => isIP(a) === 0);
      if (bad !== undefined || input.addresses.length === 0) {
        throw ApplicationFailure.nonRetryable(
          bad !== undefined ? `not an IP address: ${JSON.stringify(bad).slice(0, 60)}` : 'no addresses to block',
          ErrorType.invalidInput
        );
      }
      return deps.egress.block({ ...input, addresses: [...new Set(input.addresses)] });
    },
    async containmentUnblockEgress(input: UnblockEgressInput): Promise<UnblockEgressResult> {
      return deps.egress.unblock(input);
    },
  };
}
