// case_entities.last_seen is refreshed at most once a minute per entity and case: a busy host
// would otherwise rewrite its row on every alert (correlation allows for the lag). Which rows
// were refreshed is remembered only once their write committed — a rolled-back refresh must be
// written again by the next alert.
export const ENTITY_REFRESH_MS = 60_000;

export class EntityRefresh {
  private readonly written = new Map<string, number>();
  /** Written by the job under way (its savepoint may still roll back). */
  private job = new Map<string, number>();
  /** Written by finished jobs of the transaction under way. */
  private tx = new Map<string, number>();

  /** Whether the row of this entity in this case is due a write at `t`. */
  due(entity: string, caseId: string, t: number): boolean {
    const key = `${caseId} ${entity}`;
    const last = this.job.get(key) ?? this.tx.get(key) ?? this.written.get(key) ?? -Infinity;
    if (t - last < ENTITY_REFRESH_MS) return false;
    this.job.set(key, t);
    return true;
  }

  /** A job (savepoint) ended: its writes stay in the transaction, or were rolled back. */
  jobEnded(kept: boolean): void {
    if (kept) for (const [k, t] of this.job) this.tx.set(k, t);
    this.job = new Map();
  }

  /** The transaction ended: committed, or rolled back. */
  txEnded(committed: boolean): void {
    this.jobEnded(false);
    if (committed) {
      if (this.written.size >= 100_000) this.written.clear();
      for (const [k, t] of this.tx) this.written.set(k, t);
    }
    this.tx = new Map();
  }
}
