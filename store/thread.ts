// The SQLite alert store on a thread of its own. SQLite is synchronous: its statements and its
// fsyncs would otherwise stall the API's event loop. The API talks to it by messages; the
// thread serializes every write and groups commits as the SQLite store does in-process.
import { parentPort, workerData } from 'node:worker_threads';
import { SqliteAlertStore, type SqliteStoreOptions } from './sqlite.ts';
import type { AlertStore } from './types.ts';

export interface ThreadInit {
  file: string;
  options: SqliteStoreOptions;
}

export type Call = { id: number; method: keyof AlertStore; args: unknown[] };
export type Reply = { id: number; value?: unknown; error?: { message: string; name: string; stack?: string }; backlog: number };

const port = parentPort;
if (port) {
  const { file, options } = workerData as ThreadInit;
  const store = new SqliteAlertStore(file, options);
  port.postMessage({ id: 0, value: 'ready', backlog: store.backlog() } satisfies Reply);
  port.on('message', (call: Call) => {
    const method = store[call.method] as (...args: unknown[]) => unknown;
    Promise.resolve()
      .then(() => method.apply(store, call.args))
      .then(
        (value) => port.postMessage({ id: call.id, value, backlog: store.backlog() } satisfies Reply),
        (err: Error) => port.postMessage({ id: call.id, error: { message: err.message, name: err.name, stack: err.stack }, backlog: store.backlog() } satisfies Reply)
      );
  });
}
