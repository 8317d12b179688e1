// Riposte's real entry points (worker/index.ts, api/server.ts) as separate OS processes, so a
// test can kill -9 them. Each says "ready" over the IPC channel, as it does to `npm start`.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const ENTRIES = { worker: 'worker/index.ts', api: 'api/server.ts' } as const;

export interface RiposteProcess {
  child: ChildProcess;
  output(): string;
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

export async function spawnRiposte(which: keyof typeof ENTRIES, env: Record<string, string>): Promise<RiposteProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRIES[which]], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS,
      RIPOSTE_WORKFLOW_BUNDLE: process.env.RIPOSTE_WORKFLOW_BUNDLE,
      RIPOSTE_LOG_LEVEL: 'info',
      RIPOSTE_LOG_FORMAT: 'json',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let out = '';
  child.stdout?.on('data', (d) => (out += String(d)));
  child.stderr?.on('data', (d) => (out += String(d)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${which} did not start:\n${out}`)), 60_000);
    child.on('message', (m) => m === 'ready' && (clearTimeout(timer), resolve()));
    child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`${which} exited (${code}) during start:\n${out}`))));
  });
  return {
    child,
    output: () => out,
    kill9: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

export const spawnWorker = (env: Record<string, string>) => spawnRiposte('worker', env);
