// A real DNS peer: dnsmasq on loopback, answering the names a test gives it and NXDOMAIN for
// everything else, logging each query.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Resolver } from 'node:dns/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../scripts/dev-server.ts';

export interface Dnsmasq {
  server: string;
  /** Its query log (log-queries), a real DNS log to import. */
  logFile: string;
  queries(): string[];
  stop(): Promise<void>;
}

export async function startDnsmasq(records: Record<string, string>): Promise<Dnsmasq> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'riposte-dns-'));
  const log = path.join(dir, 'queries.log');
  const args = [
    '--no-daemon', '--conf-file=/dev/null', '--no-resolv', '--no-hosts', '--user=root',
    '--listen-address=127.0.0.1', `--port=${port}`, '--bind-interfaces',
    ...Object.entries(records).map(([name, ip]) => `--address=/${name}/${ip}`),
    '--address=/#/', '--log-queries', `--log-facility=${log}`,
  ];
  const child: ChildProcess = spawn('dnsmasq', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += String(d)));
  const server = `127.0.0.1:${port}`;
  const resolver = new Resolver({ timeout: 300, tries: 1 });
  resolver.setServers([server]);
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`dnsmasq exited: ${stderr}`);
    try {
      await resolver.resolve4('ready.invalid');
    } catch (err) {
      if ((err as { code?: string }).code === 'ENOTFOUND') break; // NXDOMAIN: it answers
    }
    if (Date.now() > deadline) throw new Error(`dnsmasq did not answer: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    server,
    logFile: log,
    queries: () =>
      readFileSync(log, 'utf8')
        .split('\n')
        .map((l) => /query\[\w+\] (\S+) from/.exec(l)?.[1])
        .filter((q): q is string => Boolean(q) && q !== 'ready.invalid'),
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
