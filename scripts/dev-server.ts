// Starts the Temporal CLI dev server (the embedded durable executor) and waits until it
// answers. Used by `npm start` (persistent, with UI) and `npm test` (a throwaway one).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes.ts';

export interface DevServer {
  address: string;
  uiUrl?: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export interface DevServerOptions {
  cli: string;
  port: number;
  uiPort?: number;
  /** SQLite file; without it the server keeps everything in memory. */
  dbFile?: string;
  headless?: boolean;
  /** The codec endpoint the UI opens sealed payloads with (Riposte's /v1/codec). */
  uiCodecEndpoint?: string;
  logFile?: string;
}

export async function startDevServer(o: DevServerOptions): Promise<DevServer> {
  if (!(await portFree(o.port))) {
    throw new Error(`port ${o.port} is in use: another Temporal dev server may be running (set RIPOSTE_TEMPORAL_PORT, or TEMPORAL_ADDRESS to use it)`);
  }
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(o.port), '--log-level', 'warn'];
  if (o.dbFile) args.push('--db-filename', o.dbFile, '--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma', 'synchronous=NORMAL');
  // Riposte's search attributes, so the UI and CLI filter cases and runs by them.
  for (const a of SEARCH_ATTRIBUTES) args.push('--search-attribute', `${a.name}=${a.type}`);
  if (o.headless) args.push('--headless');
  else if (o.uiPort) args.push('--ui-port', String(o.uiPort));
  if (o.uiCodecEndpoint && !o.headless) args.push('--ui-codec-endpoint', o.uiCodecEndpoint);
  const out = o.logFile ? fs.openSync(o.logFile, 'a') : 'ignore';
  // Own process group: Ctrl-C reaches the launcher, which stops the worker before Temporal.
  // setpriv --pdeathsig: if the launcher itself dies (kill -9), the server goes with it.
  const [file, argv] = hasSetpriv() ? ['setpriv', ['--pdeathsig', 'TERM', '--', o.cli, ...args]] : [o.cli, args];
  const child = spawn(file, argv, { stdio: ['ignore', out, out], detached: true });
  const address = `127.0.0.1:${o.port}`;
  let exited: string | undefined;
  child.once('exit', (code, signal) => (exited = `exited (${code ?? signal})`));

  const deadline = Date.now() + 90_000;
  for (;;) {
    if (exited) throw new Error(`the Temporal dev server ${exited}${o.logFile ? `; see ${o.logFile}` : ''}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('the Temporal dev server did not answer within 90 s');
    }
    if (await temporalAnswers(address)) break;
    await new Promise((r) => setTimeout(r, 250));
  }

  return {
    address,
    uiUrl: o.headless ? undefined : `http://127.0.0.1:${o.uiPort ?? o.port + 1000}`,
    process: child,
    stop: () => stopChild(child),
  };
}

let setprivFound: boolean | undefined;
function hasSetpriv(): boolean {
  setprivFound ??= spawnSync('setpriv', ['--version'], { stdio: 'ignore' }).status === 0;
  return setprivFound;
}

export function stopChild(child: ChildProcess, graceMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Whether a Temporal frontend at `address` answers, its `default` namespace included. */
export async function temporalAnswers(address: string): Promise<boolean> {
  try {
    const connection = await Connection.connect({ address, connectTimeout: 1000 });
    try {
      await connection.workflowService.getSystemInfo({});
      await connection.workflowService.describeNamespace({ namespace: 'default' });
      return true;
    } finally {
      await connection.close();
    }
  } catch {
    return false;
  }
}

export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}
