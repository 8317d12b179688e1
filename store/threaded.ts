// The API's handle on the alert store thread (store/thread.ts): the same AlertStore interface,
// each call a message. The outbox backlog is mirrored from every reply, so backlog() stays sync.
import { Worker } from 'node:worker_threads';
import type { SuppressionRule } from '../domain/suppression.ts';
import type { SqliteStoreOptions } from './sqlite.ts';
import type { Call, Replies, ThreadInit } from './thread.ts';
import type { AlertStore, CaseQuery, CaseVerdict, IngestItem, IngestPolicy, RequestRecord } from './types.ts';

type Pending = { resolve(v: unknown): void; reject(e: unknown): void };

export class ThreadedAlertStore implements AlertStore {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private mirroredBacklog = 0;
  private closed = false;
  private outgoing: Call[] = [];

  private constructor(file: string, options: SqliteStoreOptions, ready: (err?: Error) => void) {
    this.worker = spawnThread(new URL('./thread.ts', import.meta.url), { file, options } satisfies ThreadInit);
    this.worker.on('message', ({ replies, backlog }: Replies) => {
      this.mirroredBacklog = backlog;
      for (const reply of replies) {
        if (reply.id === 0) {
          ready();
          continue;
        }
        const p = this.pending.get(reply.id);
        if (!p) continue;
        this.pending.delete(reply.id);
        if (reply.error) p.reject(Object.assign(new Error(reply.error.message), { name: reply.error.name, stack: reply.error.stack }));
        else p.resolve(reply.value);
      }
    });
    this.worker.on('error', (err) => {
      ready(err);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    });
  }

  static open(file: string, options: SqliteStoreOptions = {}): Promise<ThreadedAlertStore> {
    return new Promise((resolve, reject) => {
      const store: ThreadedAlertStore = new ThreadedAlertStore(file, options, (err) => (err ? reject(err) : resolve(store)));
    });
  }

  private call<T>(method: Call['method'], ...args: unknown[]): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the alert store is closed'));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      // Calls made in one turn of the event loop travel as one message.
      if (this.outgoing.push({ id, method, args }) === 1) {
        setImmediate(() => {
          const calls = this.outgoing;
          this.outgoing = [];
          this.worker.postMessage(calls);
        });
      }
    });
  }

  backlog(): number {
    return this.mirroredBacklog;
  }

  ingest(items: IngestItem[], policy: IngestPolicy, request?: RequestRecord) {
    return this.call<Awaited<ReturnType<AlertStore['ingest']>>>('ingest', items, policy, request);
  }
  findRequest(key: string) {
    return this.call<Awaited<ReturnType<AlertStore['findRequest']>>>('findRequest', key);
  }
  getAlert(id: string) {
    return this.call<Awaited<ReturnType<AlertStore['getAlert']>>>('getAlert', id);
  }
  getCase(id: string) {
    return this.call<Awaited<ReturnType<AlertStore['getCase']>>>('getCase', id);
  }
  caseAlerts(caseId: string, limit: number) {
    return this.call<Awaited<ReturnType<AlertStore['caseAlerts']>>>('caseAlerts', caseId, limit);
  }
  listCases(opts: CaseQuery) {
    return this.call<Awaited<ReturnType<AlertStore['listCases']>>>('listCases', opts);
  }
  setVerdict(caseId: string, verdict: CaseVerdict, suggestions: SuppressionRule[]) {
    return this.call<void>('setVerdict', caseId, verdict, suggestions);
  }
  reopenAutoClosed(caseId: string, now: Date, limit: number) {
    return this.call<number>('reopenAutoClosed', caseId, now, limit);
  }
  verdictsSince(since: string, limit: number) {
    return this.call<Awaited<ReturnType<AlertStore['verdictsSince']>>>('verdictsSince', since, limit);
  }
  pendingCases() {
    return this.call<string[]>('pendingCases');
  }
  pendingForCase(caseId: string, limit: number) {
    return this.call<Awaited<ReturnType<AlertStore['pendingForCase']>>>('pendingForCase', caseId, limit);
  }
  waitingForDispatch(caseId: string) {
    return this.call<boolean>('waitingForDispatch', caseId);
  }
  markDispatched(seqs: number[]) {
    return this.call<void>('markDispatched', seqs);
  }
  alertStats(since: string, until: string) {
    return this.call<Awaited<ReturnType<AlertStore['alertStats']>>>('alertStats', since, until);
  }

  alertsSince(since: string, limit: number) {
    return this.call<Awaited<ReturnType<AlertStore['alertsSince']>>>('alertsSince', since, limit);
  }

  firstAlerts(caseIds: string[]) {
    return this.call<Awaited<ReturnType<AlertStore['firstAlerts']>>>('firstAlerts', caseIds);
  }

  alertsByIds(ids: string[]) {
    return this.call<Awaited<ReturnType<AlertStore['alertsByIds']>>>('alertsByIds', ids);
  }
  countAlerts() {
    return this.call<number>('countAlerts');
  }
  setSuppressionRules(rules: SuppressionRule[]) {
    return this.call<void>('setSuppressionRules', rules);
  }
  listSuppressions() {
    return this.call<SuppressionRule[]>('listSuppressions');
  }
  saveSuppression(rule: SuppressionRule) {
    return this.call<void>('saveSuppression', rule);
  }
  getSuppression(id: string) {
    return this.call<SuppressionRule | null>('getSuppression', id);
  }
  casesIdleSince(before: string, limit: number) {
    return this.call<string[]>('casesIdleSince', before, limit);
  }

  deleteCases(ids: string[]) {
    return this.call<number>('deleteCases', ids);
  }

  prune(now: Date, keep: { requestsMs: number; entitiesMs: number }) {
    return this.call<void>('prune', now, keep);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.call<void>('close');
    this.closed = true;
    await this.worker.terminate();
  }
}

/**
 * Worker threads do not inherit the TypeScript loader that `--import tsx` installs on the main
 * thread, so a .ts entry is loaded through tsx's API first.
 */
function spawnThread(entry: URL, workerData: unknown): Worker {
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, { workerData });
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import { register } from ${JSON.stringify(tsx)}; register(); await import(${JSON.stringify(entry.href)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`), { workerData });
}
