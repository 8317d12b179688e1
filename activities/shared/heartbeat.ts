// Telling Temporal a long activity is alive: between pages of a feed, while lookups queue behind
// a rate limit. Outside an activity (a script, a unit test of a client), and in a local activity
// (a quick call, which cannot heartbeat and is bounded by its short timeout), these do nothing.
import { Context } from '@temporalio/activity';

const EVERY_MS = 10_000;

/** One heartbeat now, with details a retry can resume from. */
export function heartbeat(details?: Record<string, unknown>): void {
  try {
    const ctx = Context.current();
    if (!ctx.info.isLocal) ctx.heartbeat(details);
  } catch {
    /* outside an activity */
  }
}

/** Heartbeats every few seconds until the returned function is called. */
export function heartbeating(): () => void {
  let ctx: Context;
  try {
    ctx = Context.current();
  } catch {
    return () => undefined;
  }
  if (ctx.info.isLocal) return () => undefined;
  const timer = setInterval(() => ctx.heartbeat(), EVERY_MS);
  return () => clearInterval(timer);
}
