// Resolve a domain with real DNS (node:dns), through the configured resolvers.
// NXDOMAIN and "no data" are answers, not errors; SERVFAIL and timeouts are retried.
import { Resolver } from 'node:dns/promises';
import { ApplicationFailure } from '@temporalio/common';
import type { Observable } from '../../core/alert.ts';
import { ErrorType } from '../shared/errors.ts';
import { assertDomain } from '../shared/validate.ts';
import type { FirstSeenStore, SightingAnswer } from './first-seen.ts';
import type { FirstSeenInput, RecordSightingInput, RememberedVerdict, RememberVerdictInput, RememberVerdictResult, ResolveDomainInput, ResolveDomainResult, Sighting } from './types.ts';
import { info } from './info.ts';

export { info };

export interface DnsOptions {
  /** "ip" or "ip:port"; unset uses the system resolvers. */
  servers?: string[];
  timeoutMs: number;
  /** The first-seen store (data/first-seen.db); without one, sightings are skipped. */
  firstSeen?: FirstSeenStore;
}

const NOT_FOUND = new Set(['ENOTFOUND', 'ENODATA', 'NXDOMAIN']);

export function createDnsActivities(opts: DnsOptions) {
  const resolver = new Resolver({ timeout: opts.timeoutMs, tries: 2 });
  if (opts.servers?.length) resolver.setServers(opts.servers);

  async function lookup(kind: 'A' | 'AAAA', domain: string): Promise<string[]> {
    try {
      return kind === 'A' ? await resolver.resolve4(domain) : await resolver.resolve6(domain);
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      if (NOT_FOUND.has(code)) return [];
      throw ApplicationFailure.create({ type: ErrorType.unavailable, message: `dns: ${kind} lookup of ${domain} failed (${code || 'error'})` });
    }
  }

  return {
    async dnsResolveDomain({ domain }: ResolveDomainInput): Promise<ResolveDomainResult> {
      const name = assertDomain(domain);
      const observable: Observable = { type: 'domain', value: name };
      const [v4, v6] = await Promise.all([lookup('A', name), lookup('AAAA', name)]);
      const addresses = [...v4, ...v6];
      return {
        source: 'dns',
        observable,
        status: 'ok',
        verdict: {
          source: 'dns',
          observable,
          level: 'info',
          score: 0,
          summary: addresses.length ? `resolves to ${addresses.join(', ')}` : 'does not resolve',
          found: addresses.length > 0,
          tags: [],
          related: addresses.map((value) => ({ type: 'ip', value, role: 'dst' }) as Observable),
        },
      };
    },

    /** Records that a domain was seen, and says whether this is the first time ever. */
    async dnsRecordSighting(input: RecordSightingInput): Promise<({ status: 'ok' } & SightingAnswer) | { status: 'skipped'; reason: string }> {
      const domain = assertDomain(input.domain);
      if (!opts.firstSeen) return { status: 'skipped', reason: 'no first-seen store' };
      if (!input.idempotencyKey) throw ApplicationFailure.nonRetryable('idempotencyKey is required', ErrorType.invalidInput);
      if (input.at !== undefined && Number.isNaN(Date.parse(input.at))) throw ApplicationFailure.nonRetryable('at must be an ISO 8601 time', ErrorType.invalidInput);
      const at = input.at ? new Date(input.at).toISOString() : new Date().toISOString();
      const sighting: Sighting = { at, source: String(input.source).slice(0, 200), ...(input.host ? { host: String(input.host).slice(0, 253) } : {}) };
      return { status: 'ok', ...opts.firstSeen.record(input.idempotencyKey, domain, sighting) };
    },

    /** Has this domain ever been seen? Its first sighting (and the latest verdict remembered), or `seen: false`. */
    async dnsFirstSeen({ domain }: FirstSeenInput): Promise<{ domain: string; seen: false } | { domain: string; seen: true; first: Sighting; sightings: number; verdict?: RememberedVerdict }> {
      const name = assertDomain(domain);
      const known = opts.firstSeen?.first(name);
      const verdict = known ? opts.firstSeen?.verdictOf(name) : undefined;
      return known ? { domain: name, seen: true, ...known, ...(verdict ? { verdict } : {}) } : { domain: name, seen: false };
    },

    /**
     * Remembers what a case concluded about a domain ("benign, case X, at T") beside its first
     * sighting. Idempotent per key: a retry remembers once and answers what the first attempt did.
     */
    async dnsRememberVerdict(input: RememberVerdictInput): Promise<RememberVerdictResult> {
      const domain = assertDomain(input.domain);
      if (!opts.firstSeen) return { status: 'skipped', reason: 'no first-seen store' };
      const invalid = (m: string) => ApplicationFailure.nonRetryable(m, ErrorType.invalidInput);
      if (!input.idempotencyKey) throw invalid('idempotencyKey is required');
      if (!['benign', 'suspicious', 'malicious'].includes(input.verdict)) throw invalid(`verdict must be benign, suspicious or malicious (got ${JSON.stringify(input.verdict).slice(0, 40)})`);
      if (!input.caseId) throw invalid('caseId is required');
      if (Number.isNaN(Date.parse(input.at))) throw invalid('at must be an ISO 8601 time');
      const v: RememberedVerdict = {
        domain,
        verdict: input.verdict,
        caseId: String(input.caseId).slice(0, 200),
        at: new Date(input.at).toISOString(),
        ...(input.reason ? { reason: String(input.reason).slice(0, 1000) } : {}),
      };
      const { remembered, already } = opts.firstSeen.rememberVerdict(input.idempotencyKey, v);
      return { status: 'ok', ...remembered, already };
    },
  };
}
