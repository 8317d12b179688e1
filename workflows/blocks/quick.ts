// Runs in the Temporal sandbox. Quick calls: lookups, hunts and ticket updates are first made as
// local activities — inside the workflow task, with no task queue and no round trip through the
// server: one marker in the history instead of three activity events and a workflow task of
// their own — and go to a regular activity, with the block's durable options, only when the
// local attempt fails or runs past QUICK (a slow vendor, a long search, a rate limit to wait
// for: a local activity cannot heartbeat). Only for calls safe to make twice: reads, and writes
// carrying an idempotency key.
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { proxyActivities, proxyLocalActivities, type ActivityOptions, type LocalActivityOptions } from '@temporalio/workflow';
import type { Activities } from '../../activities/index.ts';
import { NON_RETRYABLE } from './activity-options.ts';

/** One local attempt, five seconds: anything slower or failing goes to a regular activity. */
export const QUICK: LocalActivityOptions = {
  startToCloseTimeout: '5s',
  retry: { maximumAttempts: 1 },
};

/** Runs that began before quick calls make every call a regular activity (their histories say so). */
export const QUICK_CALLS_PATCH = 'quick-calls';

type Fn<K extends keyof Activities> = Activities[K] extends (input: infer I) => Promise<infer O> ? { input: I; output: O } : never;

/**
 * `name(input)` as a local activity when `quick`, falling back to a regular one with `durable`;
 * a regular activity only when not. A failure no retry can mend (bad credentials, a malformed
 * request) is not tried again.
 */
export async function quickCall<K extends keyof Activities>(quick: boolean, name: K, durable: ActivityOptions, input: Fn<K>['input']): Promise<Fn<K>['output']> {
  const regular = () => (proxyActivities<Activities>(durable)[name] as unknown as (i: Fn<K>['input']) => Promise<Fn<K>['output']>)(input);
  if (!quick) return regular();
  try {
    return await (proxyLocalActivities<Activities>(QUICK)[name] as unknown as (i: Fn<K>['input']) => Promise<Fn<K>['output']>)(input);
  } catch (err) {
    if (cannotMend(err)) throw err;
    return regular();
  }
}

function cannotMend(err: unknown): boolean {
  const cause = err instanceof ActivityFailure ? err.cause : undefined;
  return cause instanceof ApplicationFailure && (cause.nonRetryable || NON_RETRYABLE.includes(cause.type ?? ''));
}
