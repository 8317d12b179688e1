// Drives the nft command (nftables), on this host or inside a network namespace
// (`ip netns exec`). nft joins its arguments into one command line and parses it, so every
// value put into a rule is validated first: addresses by net.isIP, tags as hex.
import { execFile } from 'node:child_process';
import { isIP } from 'node:net';
import { promisify } from 'node:util';
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../shared/errors.ts';

const run = promisify(execFile);

export interface NftOptions {
  table: string;
  netns?: string;
  /** Override the nft binary (tests). */
  nftPath?: string;
}

export interface NftRule {
  handle: number;
  comment?: string;
  expr: unknown[];
}

export const BLOCKLIST_CHAIN = 'blocklist';

export class Nft {
  constructor(private readonly opts: NftOptions) {}

  /**
   * Creates `table inet <table>` with a `blocklist` chain that both the output hook (traffic
   * from this host) and the forward hook (traffic routed through it) jump to. One atomic
   * transaction; running it again leaves exactly one jump per hook.
   */
  async ensureTable(): Promise<void> {
    const t = this.opts.table;
    await this.exec(['-f', '-'], [
      `add table inet ${t}`,
      `add chain inet ${t} ${BLOCKLIST_CHAIN}`,
      `add chain inet ${t} output { type filter hook output priority 0; policy accept; }`,
      `add chain inet ${t} forward { type filter hook forward priority 0; policy accept; }`,
      `flush chain inet ${t} output`,
      `flush chain inet ${t} forward`,
      `add rule inet ${t} output jump ${BLOCKLIST_CHAIN}`,
      `add rule inet ${t} forward jump ${BLOCKLIST_CHAIN}`,
    ].join('\n') + '\n');
  }

  async listBlocklist(): Promise<NftRule[]> {
    const { stdout } = await this.exec(['-j', 'list', 'chain', 'inet', this.opts.table, BLOCKLIST_CHAIN]);
    const parsed = JSON.parse(stdout) as { nftables: Array<{ rule?: NftRule }> };
    return parsed.nftables.flatMap((item) => (item.rule ? [item.rule] : []));
  }

  /** Adds `[ip saddr <host>] ip daddr <addr> counter drop comment "<tag>"`. */
  async addDrop(address: string, tag: string, hostIp?: string): Promise<void> {
    const family = isIP(address);
    if (family === 0) throw ApplicationFailure.nonRetryable(`not an IP address: ${JSON.stringify(address).slice(0, 60)}`, ErrorType.invalidInput);
    if (!/^[a-z0-9:-]{1,100}$/.test(tag)) throw new Error('nft tag must be [a-z0-9:-]');
    const proto = family === 4 ? 'ip' : 'ip6';
    const match = hostIp && isIP(hostIp) === family ? [proto, 'saddr', hostIp] : [];
    await this.exec(['add', 'rule', 'inet', this.opts.table, BLOCKLIST_CHAIN, ...match, proto, 'daddr', address, 'counter', 'drop', 'comment', `"${tag}"`]);
  }

  async deleteRule(handle: number): Promise<void> {
    await this.exec(['delete', 'rule', 'inet', this.opts.table, BLOCKLIST_CHAIN, 'handle', String(Math.trunc(handle))]);
  }

  private async exec(args: string[], stdin?: string): Promise<{ stdout: string }> {
    const nft = this.opts.nftPath ?? 'nft';
    const [file, argv] = this.opts.netns ? ['ip', ['netns', 'exec', this.opts.netns, nft, ...args]] : [nft, args];
    try {
      if (stdin === undefined) return await run(file, argv, { timeout: 15_000 });
      return await new Promise((resolve, reject) => {
        const child = execFile(file, argv, { timeout: 15_000 }, (err, stdout) => (err ? reject(err) : resolve({ stdout })));
        child.stdin?.end(stdin);
      });
    } catch (err) {
      const e = err as { code?: string | number; stderr?: string };
      // A missing binary will not appear by retrying; other failures are bounded by the retry policy.
      const nonRetryable = e.code === 'ENOENT';
      throw ApplicationFailure.create({
        type: ErrorType.tool,
        message: `nft ${args.slice(0, 3).join(' ')} failed: ${(e.stderr ?? String(e.code ?? 'error')).trim().slice(0, 300)}`,
        nonRetryable,
      });
    }
  }
}
