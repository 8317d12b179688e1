// Group commit: writes that arrive within a couple of milliseconds share one transaction (one
// fsync), each inside its own savepoint so one failure leaves the others alone. Every caller
// hears back only after the commit.
import type Database from 'better-sqlite3';

export interface QueuedWrite {
  /** Runs inside the group's transaction (in a savepoint); `added` changes the outbox backlog. */
  work(): { value: unknown; added: number };
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

/** A group commits at once when this many writes wait. */
const GROUP_MAX = 256;
/** A lone writer's wait: long enough to catch a burst's next request, short enough to go unnoticed. */
const GROUP_MIN_MS = 1;

export class GroupCommit {
  private readonly queue: QueuedWrite[] = [];
  private flushTimer?: NodeJS.Timeout;
  private lastGroupSize = 0;

  constructor(
    private readonly db: Database.Database,
    private readonly groupCommitMs: number,
    /** Told, after each commit, how a write changed the outbox backlog. */
    private readonly onCommitted: (added: number) => void,
    /** Told whether each group's transaction committed. */
    private readonly onSettled: (committed: boolean) => void = () => {}
  ) {}

  enqueue<T>(work: () => { value: T; added: number }): Promise<T> {
    return new Promise((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (v: unknown) => void, reject });
      if (this.queue.length >= GROUP_MAX) this.flushNow();
      else if (this.queue.length === 1) {
        // Each commit costs the pages it dirties, shared by its writes: under load a larger
        // group makes every alert cheaper (see docs/PERFORMANCE.md).
        const wait = this.lastGroupSize > 1 ? this.groupCommitMs : Math.min(GROUP_MIN_MS, this.groupCommitMs);
        this.flushTimer = setTimeout(() => this.flushNow(), wait);
      }
    });
  }

  flushNow(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const jobs = this.queue.splice(0);
    if (jobs.length === 0) return;
    this.lastGroupSize = jobs.length;
    const done: Array<{ value?: unknown; added: number; err?: unknown }> = [];
    try {
      this.db
        .transaction(() => {
          for (const job of jobs) {
            try {
              done.push(job.work());
            } catch (err) {
              done.push({ added: 0, err });
            }
          }
        })
        .immediate();
    } catch (err) {
      this.onSettled(false);
      for (const job of jobs) job.reject(err); // the commit itself failed: nobody is acknowledged
      return;
    }
    this.onSettled(true);
    jobs.forEach((job, i) => {
      const d = done[i] as { value?: unknown; added: number; err?: unknown };
      if (d.err !== undefined) return job.reject(d.err);
      this.onCommitted(d.added);
      job.resolve(d.value);
    });
  }

}
