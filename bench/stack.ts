// What the benchmarks share: Riposte's processes started as `npm start` starts them (each its own
// process, so each one's CPU can be read), and CPU and memory read from /proc.
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startDevServer, type DevServer } from '../scripts/dev-server.ts';
import { findTemporalCli } from '../scripts/temporal-cli.mjs';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Starts `entry` (worker/index.ts, api/server.ts) and resolves once it says it is ready. */
export function startProcess(entry: string, args: string[], env: Record<string, string>, profile = false): Promise<ChildProcess> {
  const execArgv = ['--import', 'tsx', ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${path.join(root, 'bench/results/profiles')}`] : [])];
  const child = fork(path.join(root, entry), args, { cwd: root, env: { ...process.env, ...env }, execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.on('message', (m) => m === 'ready' && resolve(child));
    child.once('exit', (code) => reject(new Error(`${entry} exited (${code})`)));
  });
}

/** CPU seconds per thread of a process (the main thread's id is the pid), from /proc. */
export function threadCpu(pid: number | undefined): Record<string, number> {
  if (!pid) return {};
  const out: Record<string, number> = {};
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = /\((.*)\)/.exec(stat)?.[1] ?? tid;
      const f = stat.split(') ')[1]?.split(' ') ?? [];
      const key = tid === String(pid) ? 'main' : name;
      out[key] = (out[key] ?? 0) + (Number(f[11]) + Number(f[12])) / 100;
    } catch {}
  }
  return out;
}

/** CPU seconds a process has used (user + system), from /proc. */
export function cpuSeconds(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100/s)
  } catch {
    return 0;
  }
}

/**
 * CPU seconds of a process and every process below it, from /proc: each live one's own time and
 * the time of its children that have exited (PostgreSQL's backends come and go under the postmaster).
 */
export function treeCpuSeconds(pid: number | undefined): number {
  if (!pid) return 0;
  const stats = new Map<number, { ppid: number; cpu: number }>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const f = fs.readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      // ppid, utime, stime, cutime, cstime (clock ticks, 100/s)
      stats.set(Number(entry), { ppid: Number(f[1]), cpu: (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100 });
    } catch {}
  }
  let total = 0;
  const todo = [pid];
  while (todo.length) {
    const p = todo.pop() as number;
    total += stats.get(p)?.cpu ?? 0;
    for (const [child, s] of stats) if (s.ppid === p) todo.push(child);
  }
  return total;
}

/** CPU seconds of these processes (each with the processes below it) together. */
const totalCpuSeconds = (pids: Array<number | undefined>) => pids.map(treeCpuSeconds).reduce((a, b) => a + b, 0);

/** The benchmarks' percentile: the value at ⌊(n − 1)·p⌋ of the sorted sample (undefined when empty). */
export function percentile(xs: number[], p: number): number | undefined {
  return xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length - 1) * p))] : undefined;
}

/**
 * Waits until these processes together use under `idlePerSecond` × the window + 0.05 CPU-s in
 * `quietMs`: the work in flight is done. A Temporal server on PostgreSQL is never silent (its
 * queues and timers tick): pass what it uses at rest (`idleCpuPerSecond`).
 */
export async function untilQuiet(pids: Array<number | undefined>, quietMs = 2500, idlePerSecond = 0): Promise<void> {
  const total = () => totalCpuSeconds(pids);
  const allowance = 0.05 + (idlePerSecond * quietMs) / 1000;
  let last = total();
  for (;;) {
    await new Promise((r) => setTimeout(r, quietMs));
    const now = total();
    if (now - last < allowance) return;
    last = now;
  }
}

/** CPU-s a second these processes use at rest: the least of `windows` 5-s windows. */
export async function idleCpuPerSecond(pids: Array<number | undefined>, windows = 3): Promise<number> {
  const total = () => totalCpuSeconds(pids);
  let least = Number.POSITIVE_INFINITY;
  for (let i = 0; i < windows; i++) {
    const before = total();
    await new Promise((r) => setTimeout(r, 5000));
    least = Math.min(least, (total() - before) / 5);
  }
  return least;
}

/** Resident memory once garbage is collected, MiB: the least of seven samples over three seconds. */
export async function settledRss(pid: number | undefined): Promise<number> {
  let least = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 7; i++) {
    least = Math.min(least, rssMiB(pid));
    await new Promise((r) => setTimeout(r, 500));
  }
  return least;
}

/** Resident memory of a process, MiB, from /proc. */
export function rssMiB(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return Number(kb ?? 0) / 1024;
  } catch {
    return 0;
  }
}

export interface Stack {
  /** A temporary directory: the dev server's database, the data dir. */
  work: string;
  /** The API, e.g. http://127.0.0.1:43210 */
  base: string;
  server: DevServer;
  cliVersion: string;
  worker: ChildProcess;
  /** Every worker process (`worker` first): more than one with `workers`. */
  workers: ChildProcess[];
  api: ChildProcess;
  /** Stops the API, the worker, `extra` processes and the dev server, and removes `work`. */
  stop(extra?: ChildProcess[]): Promise<void>;
}

/**
 * The real stack as `npm start` runs it — a dev server on a WAL SQLite file, the worker and the
 * API as processes of their own — with `env` on top of what every benchmark sets.
 */
export async function startStack(o: { name: string; env: Record<string, string>; profileApi?: boolean; profileWorker?: boolean; workers?: number }): Promise<Stack> {
  const cli = findTemporalCli();
  if (!cli) throw new Error('the Temporal CLI is missing: run `node scripts/setup.mjs`');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `riposte-${o.name}-`));
  const server = await startDevServer({ cli: cli.bin, port: await freePort(), headless: true, dbFile: path.join(work, 'temporal.db'), logFile: path.join(work, 'temporal.log') });
  const apiPort = await freePort();
  const env: Record<string, string> = { TEMPORAL_ADDRESS: server.address, RIPOSTE_DATA_DIR: path.join(work, 'data'), RIPOSTE_PORT: String(apiPort), RIPOSTE_LOG_LEVEL: 'warn', ...o.env };
  const started: ChildProcess[] = [];
  const stop = async (extra: ChildProcess[] = []) => {
    for (const p of [...extra, ...started].reverse()) p.kill('SIGTERM');
    // A profiled process writes its profiles as it exits: give it the time.
    await new Promise((r) => setTimeout(r, o.profileWorker || o.profileApi ? 8000 : 1500));
    await server.stop();
    fs.rmSync(work, { recursive: true, force: true });
  };
  try {
    const workers: ChildProcess[] = [];
    for (let i = 0; i < (o.workers ?? 1); i++) {
      // Each worker serves its own metrics port, when one is set.
      const own: Record<string, string> = i > 0 && (env.RIPOSTE_WORKER_METRICS_PORT ?? process.env.RIPOSTE_WORKER_METRICS_PORT) ? { RIPOSTE_WORKER_METRICS_PORT: String(await freePort()) } : {};
      const worker = await startProcess('worker/index.ts', [], { ...env, ...own }, o.profileWorker);
      started.push(worker);
      workers.push(worker);
    }
    const api = await startProcess('api/server.ts', [], env, o.profileApi);
    started.push(api);
    return { work, base: `http://127.0.0.1:${apiPort}`, server, cliVersion: cli.version, worker: workers[0] as ChildProcess, workers, api, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
