// The never-contain list: targets no playbook may block or isolate, whatever an alert says —
// resolvers, gateways, domain controllers, Riposte's own host. RIPOSTE_NEVER_CONTAIN adds CIDRs,
// addresses, host names (`dc1.corp.example`, or `*.dc.corp.example` for a whole zone) and cloud
// ids (an instance, a role, a user, a key); the defaults are always on.
import fs from 'node:fs';
import os from 'node:os';
import ipaddr from 'ipaddr.js';

interface Entry {
  text: string;
  /** Where it came from, for the refusal's reason. */
  why: string;
  cidr?: [ipaddr.IPv4 | ipaddr.IPv6, number];
}

export class NeverContain {
  private readonly entries: Entry[];

  constructor(entries: Array<{ text: string; why: string }>) {
    this.entries = entries.map((e) => ({ ...e, text: e.text.trim().toLowerCase(), ...cidrOf(e.text.trim()) }));
  }

  /** The list from RIPOSTE_NEVER_CONTAIN plus the defaults this host implies. */
  static fromEnv(env: Record<string, string | undefined>): NeverContain {
    const listed = (env.RIPOSTE_NEVER_CONTAIN ?? '').split(',').map((s) => s.trim()).filter(Boolean).map((text) => ({ text, why: 'RIPOSTE_NEVER_CONTAIN' }));
    return new NeverContain([...listed, ...defaults(env)]);
  }

  /** Whether a target is on the list: the reason, or undefined. */
  match(value: string | undefined): string | undefined {
    if (!value) return undefined;
    const v = value.trim().toLowerCase();
    const ip = parseIp(v);
    for (const e of this.entries) {
      if (ip && e.cidr && ip.kind() === e.cidr[0].kind() && ip.match(e.cidr)) return `${value} is in ${e.text} (${e.why})`;
      if (!e.cidr && (e.text === v || (e.text.startsWith('*.') && v.endsWith(e.text.slice(1))))) return `${value} is on the never-contain list (${e.why})`;
    }
    return undefined;
  }

  /** The entries, for the start-up log. */
  describe(): string[] {
    return this.entries.map((e) => `${e.text} (${e.why})`);
  }
}

/** Loopback, link-local (and the cloud metadata service), this host, its gateways and resolvers. */
function defaults(env: Record<string, string | undefined>): Array<{ text: string; why: string }> {
  const out: Array<{ text: string; why: string }> = [
    { text: '127.0.0.0/8', why: 'loopback' },
    { text: '::1/128', why: 'loopback' },
    { text: '169.254.0.0/16', why: 'link-local and the cloud metadata service' },
    { text: 'fe80::/10', why: 'link-local' },
    { text: 'localhost', why: 'loopback' },
    { text: os.hostname(), why: "Riposte's own host" },
  ];
  for (const addrs of Object.values(os.networkInterfaces())) {
    for (const a of addrs ?? []) if (!a.internal) out.push({ text: a.address.split('%')[0] as string, why: "Riposte's own host" });
  }
  for (const gw of gateways()) out.push({ text: gw, why: 'a default gateway of this host' });
  const resolvers = env.RIPOSTE_DNS_SERVERS ? env.RIPOSTE_DNS_SERVERS.split(',').map((s) => s.trim().replace(/:\d+$/, '').replace(/^\[|\]$/g, '')) : systemResolvers();
  for (const r of resolvers) if (r) out.push({ text: r, why: 'a DNS resolver' });
  return out;
}

/** IPv4 default gateways from /proc/net/route (little-endian hex). */
function gateways(): string[] {
  try {
    return fs
      .readFileSync('/proc/net/route', 'utf8')
      .split('\n')
      .slice(1)
      .map((l) => l.trim().split(/\s+/))
      .filter((f) => f[1] === '00000000' && f[2] && f[2] !== '00000000')
      .map((f) => [6, 4, 2, 0].map((i) => parseInt((f[2] as string).slice(i, i + 2), 16)).join('.'));
  } catch {
    return [];
  }
}

function systemResolvers(): string[] {
  try {
    return fs
      .readFileSync('/etc/resolv.conf', 'utf8')
      .split('\n')
      .flatMap((l) => (/^\s*nameserver\s+(\S+)/.exec(l)?.[1] ? [(/^\s*nameserver\s+(\S+)/.exec(l) as RegExpExecArray)[1] as string] : []));
  } catch {
    return [];
  }
}

function parseIp(v: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  if (!ipaddr.isValid(v)) return undefined;
  const ip = ipaddr.parse(v);
  return ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress() ? (ip as ipaddr.IPv6).toIPv4Address() : ip;
}

function cidrOf(text: string): { cidr?: [ipaddr.IPv4 | ipaddr.IPv6, number] } {
  try {
    if (text.includes('/')) return { cidr: ipaddr.parseCIDR(text) };
    const ip = parseIp(text);
    if (ip) return { cidr: [ip, ip.kind() === 'ipv4' ? 32 : 128] };
  } catch {
    // not an address: a name or an id
  }
  return {};
}
