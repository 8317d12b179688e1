// Suppression rules: known false positives that are stored and counted but start nothing.
// A rule matches when any of the alert's observables (or its rule and host, or its time) fits.
import ipaddr from 'ipaddr.js';
import type { NativeAlert } from '../core/alert.ts';
import { urlHost } from './entities.ts';

export type SuppressionMatch =
  | { kind: 'domain'; value: string }
  | { kind: 'ip'; value: string }
  | { kind: 'hash'; value: string }
  | { kind: 'rule_host'; rule: string; host: string }
  | { kind: 'maintenance'; from: string; to: string; hosts?: string[]; rules?: string[] };

export type SuppressionOrigin = 'config' | 'api' | 'suggested';
export type SuppressionStatus = 'active' | 'suggested' | 'revoked';

export interface SuppressionRule {
  id: string;
  origin: SuppressionOrigin;
  status: SuppressionStatus;
  match: SuppressionMatch;
  reason: string;
  author: string;
  createdAt: string;
  expiresAt?: string;
  /** The case whose false-positive verdict suggested it. */
  fromCase?: string;
  /** Broader than an analyst may add; an admin added it. */
  global?: boolean;
  hits: number;
  lastHitAt?: string;
  activatedBy?: string;
  revokedBy?: string;
}

/** Checks a rule's match for mistakes; returns what is wrong, or nothing. */
export function matchProblems(m: SuppressionMatch): string[] {
  switch (m.kind) {
    case 'domain':
      return /^(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*\.?$/i.test(m.value) ? [] : [`"${m.value}" is not a domain (use example.com or *.example.com)`];
    case 'ip':
      return parseCidr(m.value) ? [] : [`"${m.value}" is not an IP address or CIDR`];
    case 'hash':
      return /^[a-f0-9]{32}$|^[a-f0-9]{40}$|^[a-f0-9]{64}$/i.test(m.value) ? [] : [`"${m.value}" is not an MD5, SHA-1 or SHA-256 hash`];
    case 'rule_host':
      return m.rule && m.host ? [] : ['rule_host needs rule and host'];
    case 'maintenance': {
      const from = Date.parse(m.from);
      const to = Date.parse(m.to);
      if (Number.isNaN(from) || Number.isNaN(to)) return ['maintenance needs from and to as ISO 8601 times'];
      return to > from ? [] : ['maintenance: to must be after from'];
    }
  }
}

/**
 * Why a rule would hide too much to be added by an analyst alone — a range of 65,536 addresses or
 * more, a whole top-level domain, a maintenance window over every host — or undefined. An admin
 * may still add it, marked global.
 */
export function tooBroad(m: SuppressionMatch): string | undefined {
  switch (m.kind) {
    case 'ip': {
      const prefix = Number(m.value.split('/')[1] ?? (m.value.includes(':') ? 128 : 32));
      const min = m.value.includes(':') ? 48 : 16;
      return prefix < min ? `${m.value} covers more than a /${min}` : undefined;
    }
    case 'domain':
      return m.value.replace(/^\*\./, '').replace(/\.$/, '').split('.').length < 2 ? `${m.value} is a whole top-level domain` : undefined;
    case 'maintenance':
      return !m.hosts?.length ? 'a maintenance window with no hosts silences every host' : undefined;
    default:
      return undefined;
  }
}

export function describeMatch(m: SuppressionMatch): string {
  switch (m.kind) {
    case 'domain':
    case 'ip':
    case 'hash':
      return `${m.kind} ${m.value}`;
    case 'rule_host':
      return `rule "${m.rule}" on host ${m.host}`;
    case 'maintenance':
      return `maintenance ${m.from} → ${m.to}${m.hosts ? ` on ${m.hosts.join(', ')}` : ''}${m.rules ? ` for ${m.rules.join(', ')}` : ''}`;
  }
}

function parseCidr(value: string): [ipaddr.IPv4 | ipaddr.IPv6, number] | undefined {
  try {
    return value.includes('/') ? ipaddr.parseCIDR(value) : ((a) => [a, a.kind() === 'ipv4' ? 32 : 128])(ipaddr.parse(value)) as [ipaddr.IPv4 | ipaddr.IPv6, number];
  } catch {
    return undefined;
  }
}

function ipMatches(cidr: [ipaddr.IPv4 | ipaddr.IPv6, number], ip: string): boolean {
  try {
    let addr = ipaddr.parse(ip);
    if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()) addr = (addr as ipaddr.IPv6).toIPv4Address();
    return addr.kind() === cidr[0].kind() && addr.match(cidr);
  } catch {
    return false;
  }
}

function domainMatches(rule: string, domain: string): boolean {
  const r = rule.toLowerCase().replace(/^\*\./, '').replace(/\.$/, '');
  const d = domain.toLowerCase().replace(/\.$/, '');
  return d === r || d.endsWith(`.${r}`);
}

/** Rules compiled once per change, applied to every alert. */
export class SuppressionMatcher {
  private readonly compiled: Array<{ rule: SuppressionRule; test: (a: NativeAlert) => boolean }>;

  constructor(rules: SuppressionRule[]) {
    this.compiled = rules.filter((r) => r.status === 'active').map((rule) => ({ rule, test: compile(rule.match) }));
  }

  get size(): number {
    return this.compiled.length;
  }

  /** The first active, unexpired rule the alert matches. */
  match(alert: NativeAlert, now: Date): SuppressionRule | undefined {
    const t = now.getTime();
    for (const { rule, test } of this.compiled) {
      if (rule.expiresAt && Date.parse(rule.expiresAt) <= t) continue;
      if (test(alert)) return rule;
    }
    return undefined;
  }
}

function compile(m: SuppressionMatch): (a: NativeAlert) => boolean {
  switch (m.kind) {
    case 'domain':
      return (a) =>
        a.observables.some(
          (o) => ((o.type === 'domain' || o.type === 'hostname') && domainMatches(m.value, o.value)) || (o.type === 'url' && domainMatches(m.value, urlHost(o.value) ?? ''))
        );
    case 'ip': {
      const cidr = parseCidr(m.value);
      return (a) => Boolean(cidr) && a.observables.some((o) => o.type === 'ip' && ipMatches(cidr as [ipaddr.IPv4 | ipaddr.IPv6, number], o.value));
    }
    case 'hash': {
      const h = m.value.toLowerCase();
      return (a) => a.observables.some((o) => o.type === 'hash' && o.value.toLowerCase() === h);
    }
    case 'rule_host':
      return (a) => ruleIs(a, m.rule) && onHost(a, m.host);
    case 'maintenance': {
      const from = Date.parse(m.from);
      const to = Date.parse(m.to);
      return (a) => {
        const t = Date.parse(a.time);
        return t >= from && t < to && (!m.hosts || m.hosts.some((h) => onHost(a, h))) && (!m.rules || m.rules.some((r) => ruleIs(a, r)));
      };
    }
  }
}

function ruleIs(a: NativeAlert, rule: string): boolean {
  const r = rule.toLowerCase();
  return a.rule?.name.toLowerCase() === r || a.rule?.uid?.toLowerCase() === r;
}

/** The alert is about `host`: a hostname or IP observable in the src or target role (or with no role). */
function onHost(a: NativeAlert, host: string): boolean {
  const h = host.toLowerCase();
  return a.observables.some((o) => (o.type === 'hostname' || o.type === 'ip') && o.role !== 'dst' && o.value.toLowerCase() === h);
}
