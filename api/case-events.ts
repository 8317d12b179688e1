// Live updates for the console: which cases just changed, pushed to every open event stream
// (GET /v1/events). Two sources: alerts this replica (or, on PostgreSQL, any replica) committed,
// told at once; and the case record (playbooks' steps, approvals, people's actions, written by
// the worker or another replica), read once a second — only while someone is listening.
import type { CaseRecordStore } from '../store/case-record.ts';
import type { Logger } from '../telemetry/logger.ts';

/** How far back each read of the record looks again: PostgreSQL numbers facts before they commit. */
const OVERLAP = 200;
/** Cases per read at most; more changed since the last one are read the next second. */
const PAGE = 500;
/** Case → the newest fact already told, for the cases inside the overlap (bounded). */
const KNOWN_MAX = 5000;

export type CaseListener = (caseIds: string[]) => void;

export class CaseEvents {
  private readonly listeners = new Set<CaseListener>();
  /** How to end each stream when the API stops (an open stream would hold the server open). */
  private readonly enders = new Map<CaseListener, () => void>();
  private readonly known = new Map<string, number>();
  private high?: number;
  private timer?: NodeJS.Timeout;
  private reading = false;

  constructor(private readonly o: { record: CaseRecordStore; logger: Pick<Logger, 'warn'>; everyMs?: number }) {}

  /** Alerts for these cases were committed. */
  notify(caseIds: string[]): void {
    if (caseIds.length > 0 && this.listeners.size > 0) this.emit([...new Set(caseIds)]);
  }

  /** Listens until the returned function is called; the record is read only while anyone listens. `end` closes the stream when the API stops. */
  subscribe(listener: CaseListener, end?: () => void): () => void {
    this.listeners.add(listener);
    if (end) this.enders.set(listener, end);
    if (!this.timer) this.timer = setInterval(() => void this.read(), this.o.everyMs ?? 1000);
    return () => {
      this.listeners.delete(listener);
      this.enders.delete(listener);
      if (this.listeners.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = undefined;
        this.high = undefined;
        this.known.clear();
      }
    };
  }

  get listening(): number {
    return this.listeners.size;
  }

  /** Ends every open stream and stops reading. */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const enders = [...this.enders.values()];
    this.listeners.clear();
    this.enders.clear();
    for (const end of enders) end();
  }

  private async read(): Promise<void> {
    if (this.reading) return;
    this.reading = true;
    try {
      const first = this.high === undefined;
      // The first read learns where the record stands (and what the overlap holds), telling nothing.
      if (this.high === undefined) this.high = (await this.o.record.changedSince(undefined, PAGE)).seq;
      const { seq, changes } = await this.o.record.changedSince(Math.max(0, this.high - OVERLAP), PAGE);
      // A case is told when it has a fact newer than the last one told of it (late commits included).
      const fresh = changes.filter((c) => c.seq > (this.known.get(c.caseId) ?? 0));
      for (const c of changes) this.known.set(c.caseId, Math.max(c.seq, this.known.get(c.caseId) ?? 0));
      while (this.known.size > KNOWN_MAX) this.known.delete(this.known.keys().next().value as string);
      this.high = Math.max(this.high, seq);
      if (!first && fresh.length > 0) this.emit(fresh.map((c) => c.caseId));
    } catch (err) {
      this.o.logger.warn({ err: String(err) }, 'live updates: could not read the case record; trying again');
    } finally {
      this.reading = false;
    }
  }

  private emit(caseIds: string[]): void {
    for (const l of this.listeners) l(caseIds);
  }
}
