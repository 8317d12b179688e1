// Per-integration rate limits that queue rather than fail: a call over the limit waits its turn
// (heartbeating, so a long wait is not taken for a hung activity) instead of earning a 429.
// One queue per integration per worker process, shared by all of its activities. A local
// activity cannot heartbeat, so it waits at most QUICK_WAIT_MS for its turn and then fails with
// `RateLimitWouldWaitError`: the workflow asks again with a regular activity, which waits.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import PQueue from 'p-queue';
import { ErrorType } from './errors.ts';
import type { RateLimit } from './integration.ts';

const HEARTBEAT_MS = 10_000;
/** How long a call in a local activity waits for its turn before it gives way to a regular activity. */
export const QUICK_WAIT_MS = 1_000;

export class RateLimiter {
  private readonly queue: PQueue;

  constructor(readonly limit: RateLimit) {
    // Strict: a sliding window, so no burst at a window boundary exceeds the vendor's limit.
    this.queue = new PQueue({ intervalCap: limit.limit, interval: limit.intervalMs, strict: true });
  }

  /** Calls waiting for their turn. */
  get waiting(): number {
    return this.queue.size;
  }

  /** Runs `fn` when the limit allows; gives up if the activity is cancelled while waiting. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    const ctx = activityContext();
    if (ctx?.info.isLocal) return this.runQuick(fn, ctx);
    const beat = ctx ? setInterval(() => ctx.heartbeat({ waitingForRateLimit: true }), HEARTBEAT_MS) : undefined;
    try {
      return (await this.queue.add(fn, { signal: ctx?.cancellationSignal })) as T;
    } finally {
      if (beat) clearInterval(beat);
    }
  }

  /** In a local activity: its turn within QUICK_WAIT_MS, or RateLimitWouldWaitError (nothing was sent). */
  private async runQuick<T>(fn: () => Promise<T>, ctx: Context): Promise<T> {
    const waiting = new AbortController();
    let started = false;
    const tooLong = setTimeout(() => {
      if (!started) waiting.abort(ApplicationFailure.create({ type: ErrorType.wouldWait, message: `over the rate limit of ${this.limit.limit} per ${this.limit.intervalMs / 1000}s: the call waits its turn in a regular activity` }));
    }, QUICK_WAIT_MS);
    const cancelled = () => waiting.abort(ctx.cancellationSignal.reason);
    ctx.cancellationSignal.addEventListener('abort', cancelled, { once: true });
    try {
      const task = () => {
        started = true;
        clearTimeout(tooLong);
        return fn();
      };
      return (await this.queue.add(task, { signal: waiting.signal })) as T;
    } finally {
      clearTimeout(tooLong);
      ctx.cancellationSignal.removeEventListener('abort', cancelled);
    }
  }
}

const limiters = new Map<string, RateLimiter>();

/** The worker-wide limiter of an integration (created on first use); none without a limit. */
export function limiterFor(integration: string, limit: RateLimit | undefined): RateLimiter | undefined {
  if (!limit) return undefined;
  const existing = limiters.get(integration);
  if (existing && existing.limit.limit === limit.limit && existing.limit.intervalMs === limit.intervalMs) return existing;
  const created = new RateLimiter(limit);
  limiters.set(integration, created);
  return created;
}

function activityContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined; // called outside an activity (a script, a unit test of a client)
  }
}
