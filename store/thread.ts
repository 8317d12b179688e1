// The SQLite alert store on a thread of its own. SQLite is synchronous: its statements and its
// fsyncs would otherwise stall the API's event loop. The API talks to it by messages — calls
// and replies travel in batches, one message per turn of either event loop, since under load
// the wake-up per message costs more than the message — and the thread groups commits as the
// SQLite store does in-process.
import { parentPort, workerData } from 'node:worker_threads';
import { SqliteAlertStore, type SqliteStoreOptions } from './sqlite.ts';
import type { AlertStore } from './types.ts';

export interface ThreadInit {
  file: string;
  options: SqliteStoreOptions;
}

export type Call = { id: number; method: Exclude<keyof AlertStore, 'watchQueued'>; args: unknown[] };
export type Reply = { id: number; value?: unknown; error?: { message: string; name: string; stack?: string } };
/** What the thread sends: replies in the order they were settled, and the outbox backlog after them. */
export type Replies = { replies: Reply[]; backlog: number };

const port = parentPort;
if (port) {
  const { file, options } = workerData as ThreadInit;
  const store = new SqliteAlertStore(file, options);
  let replies: Reply[] = [];
  const reply = (r: Reply) => {
    if (replies.push(r) === 1) setImmediate(() => {
      port.postMessage({ replies, backlog: store.backlog() } satisfies Replies);
      replies = [];
    });
  };
  reply({ id: 0, value: 'ready' });
  port.on('message', (calls: Call[]) => {
    for (const call of calls) {
      const method = store[call.method] as (...args: unknown[]) => unknown;
      Promise.resolve()
        .then(() => method.apply(store, call.args))
        .then(
          (value) => reply({ id: call.id, value }),
          (err: Error) => reply({ id: call.id, error: { message: err.message, name: err.name, stack: err.stack } })
        );
    }
  });
}
