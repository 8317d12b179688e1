// A small network the tests build for real with iproute2: a "host" namespace and a "c2"
// namespace joined by a veth pair, with a TCP server in c2 on the C2 address. Riposte's
// nftables driver acts inside the host namespace; probe() says whether the host can still
// reach the C2 server.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface C2Lab {
  hostNs: string;
  c2Ns: string;
  hostIp: string;
  c2Ip: string;
  port: number;
  /** True when a TCP connection from the host namespace to c2Ip:port succeeds. */
  probe(): Promise<boolean>;
  /** The ruleset of the host namespace as nft JSON. */
  ruleset(): Promise<unknown>;
  cleanup(): Promise<void>;
}

async function sh(...args: string[]): Promise<string> {
  const { stdout } = await run(args[0] as string, args.slice(1));
  return stdout;
}

export async function createC2Lab(c2Ip = '203.0.113.7'): Promise<C2Lab> {
  const id = randomBytes(3).toString('hex');
  const hostNs = `rip-h-${id}`;
  const c2Ns = `rip-c-${id}`;
  const octet = 1 + (randomBytes(1)[0] as number) % 250;
  const hostIp = `10.251.${octet}.2`;
  const peerIp = `10.251.${octet}.1`;
  const port = 8443;
  const vh = `rh${id}`;
  const vc = `rc${id}`;
  await sh('ip', 'netns', 'add', hostNs);
  await sh('ip', 'netns', 'add', c2Ns);
  let server: ChildProcess | undefined;
  const cleanup = async () => {
    server?.kill('SIGKILL');
    await run('ip', ['netns', 'del', hostNs]).catch(() => undefined);
    await run('ip', ['netns', 'del', c2Ns]).catch(() => undefined);
  };
  try {
    await sh('ip', 'link', 'add', vh, 'type', 'veth', 'peer', 'name', vc);
    await sh('ip', 'link', 'set', vh, 'netns', hostNs);
    await sh('ip', 'link', 'set', vc, 'netns', c2Ns);
    for (const [ns, dev, ip] of [[hostNs, vh, hostIp], [c2Ns, vc, peerIp]] as const) {
      await sh('ip', '-n', ns, 'link', 'set', 'lo', 'up');
      await sh('ip', '-n', ns, 'addr', 'add', `${ip}/30`, 'dev', dev);
      await sh('ip', '-n', ns, 'link', 'set', dev, 'up');
    }
    await sh('ip', '-n', c2Ns, 'addr', 'add', `${c2Ip}/32`, 'dev', 'lo');
    await sh('ip', '-n', hostNs, 'route', 'add', `${c2Ip}/32`, 'via', peerIp);
    server = spawn('ip', ['netns', 'exec', c2Ns, process.execPath, '-e',
      `require('net').createServer((s) => s.end('c2\\n')).listen(${port}, '${c2Ip}', () => console.log('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      server?.stdout?.once('data', () => resolve());
      server?.once('exit', (c) => reject(new Error(`c2 server exited ${c}`)));
    });
  } catch (err) {
    await cleanup();
    throw err;
  }
  const probe = async () => {
    const script = `const s=require('net').connect(${port},'${c2Ip}');s.setTimeout(1500,()=>process.exit(1));s.on('data',()=>process.exit(0));s.on('error',()=>process.exit(1));`;
    try {
      await run('ip', ['netns', 'exec', hostNs, process.execPath, '-e', script], { timeout: 5000 });
      return true;
    } catch {
      return false;
    }
  };
  const ruleset = async () => JSON.parse(await sh('ip', 'netns', 'exec', hostNs, 'nft', '-j', 'list', 'ruleset'));
  return { hostNs, c2Ns, hostIp, c2Ip, port, probe, ruleset, cleanup };
}

/** Drop rules in the lab's ruleset, as [daddr, comment] pairs. */
export function dropRules(ruleset: unknown): Array<{ daddr?: string; saddr?: string; comment?: string }> {
  const items = (ruleset as { nftables: Array<{ rule?: { comment?: string; expr: Array<Record<string, any>> } }> }).nftables;
  return items.flatMap((i) => {
    const r = i.rule;
    if (!r || !r.expr.some((e) => 'drop' in e)) return [];
    const field = (f: string) => r.expr.find((e) => e.match?.left?.payload?.field === f)?.match.right as string | undefined;
    return [{ daddr: field('daddr'), saddr: field('saddr'), comment: r.comment }];
  });
}
