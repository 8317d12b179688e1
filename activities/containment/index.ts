// Containment activities: block egress and its undo, through the driver RIPOSTE_CONTAINMENT picks.
import { isIP } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../shared/errors.ts';
import type { BlockEgressInput, BlockEgressResult, EgressBlocker, UnblockEgressInput, UnblockEgressResult } from './types.ts';

export const descriptor = {
  name: 'containment',
  activities: ['containmentBlockEgress', 'containmentUnblockEgress'],
  secrets: [],
  docUrl: 'docs/integrations.md',
} as const;

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
