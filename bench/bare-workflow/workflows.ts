// Runs in the Temporal sandbox: deterministic — no I/O, no Node builtins, no clock but Temporal's;
// the activities are imported as a type only.
//
// The raw-Temporal baseline of `npm run bench:throughput` (bench/throughput.ts): a workflow that
// does nothing but three no-op activities one after the other, on the same dev server as Riposte's
// playbooks, so the playbook's cost can be read against what Temporal itself costs per run.
import { proxyActivities } from '@temporalio/workflow';
import type { BareActivities } from './activities.ts';

// The same shape as a playbook's lookups: a start-to-close timeout, the SDK's default retries.
const { bareNoop } = proxyActivities<BareActivities>({ startToCloseTimeout: '30s' });

export interface BareResult {
  /** Wall-clock time (ms) at which the first activity ran, as the worker's clock read it. */
  firstActivityAt: number;
}

export async function bareWorkflow(): Promise<BareResult> {
  const firstActivityAt = await bareNoop(1);
  await bareNoop(2);
  await bareNoop(3);
  return { firstActivityAt };
}
