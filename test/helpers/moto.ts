// A real AWS emulator: moto server on loopback, from the venv `scripts/setup.mjs test` installs
// (~/.cache/riposte/moto-<version>/, the version pinned in test/fixtures/aws/moto-requirements.txt).
// State lives in the server's memory; reset() wipes it (POST /moto-api/reset).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../scripts/dev-server.ts';

export interface Moto {
  /** http://127.0.0.1:<port> — the endpoint every AWS client is pointed at. */
  endpoint: string;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** The moto_server the setup script installed (throws, saying how to install it, when missing). */
export function motoServerBin(): string {
  const requirements = fs.readFileSync(new URL('../fixtures/aws/moto-requirements.txt', import.meta.url), 'utf8');
  const version = /^moto(?:\[server\])?==(\S+)$/m.exec(requirements)?.[1];
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  const bin = path.join(base, 'riposte', `moto-${version}`, 'bin', 'moto_server');
  if (!fs.existsSync(bin)) throw new Error(`moto ${version} is not installed (${bin}): run \`node scripts/setup.mjs test\``);
  return bin;
}

export async function startMoto(env: Record<string, string> = {}): Promise<Moto> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  // Only loopback, and none of the caller's AWS settings (moto would not use them, but a test
  // run must not depend on them either).
  const child = spawn(motoServerBin(), ['-H', '127.0.0.1', '-p', String(port)], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? os.tmpdir(), ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr = (stderr + String(d)).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited (${child.exitCode}): ${stderr}`);
    const ok = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1000) }).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`moto_server did not answer on ${endpoint}: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    endpoint,
    async reset() {
      const res = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (!res.ok) throw new Error(`moto reset answered HTTP ${res.status}`);
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killer);
    },
  };
}
