// VirusTotal v3 reputation for domains and IPs, as the shared verdict shape.
import type { Observable } from '../../core/alert.ts';
import type { EnrichmentVerdict, VerdictLevel } from '../../core/verdict.ts';
import { assertDomain, assertHash, assertIp, assertUrl } from '../shared/validate.ts';
import { Secret } from '../../config/secret.ts';
import { integrationState } from '../shared/integration.ts';
import { limiterFor } from '../shared/rate-limit.ts';
import { VirusTotalClient } from './client.ts';
import type { LookupDomainInput, LookupFileInput, LookupIpInput, LookupResult, LookupUrlInput, VtObject } from './types.ts';

import { info } from './info.ts';

export { info };

/** A client from the environment, or none when VIRUSTOTAL_API_KEY is unset. */
export function virustotalFromEnv(env: Record<string, string | undefined>): VirusTotalClient | undefined {
  const state = integrationState(info, env);
  if (!state.configured) return undefined;
  return new VirusTotalClient({
    baseUrl: (env.VIRUSTOTAL_BASE_URL?.trim() || 'https://www.virustotal.com/api/v3').replace(/\/+$/, ''),
    apiKey: new Secret((env.VIRUSTOTAL_API_KEY as string).trim()),
    limiter: limiterFor(info.name, state.rateLimit),
  });
}

export function createVirusTotalActivities(deps: { client?: VirusTotalClient }) {
  const skipped = (observable: Observable): LookupResult => ({
    source: 'virustotal',
    observable,
    status: 'skipped',
    reason: 'VirusTotal is not configured (VIRUSTOTAL_API_KEY unset)',
  });
  return {
    async virustotalLookupDomain({ domain }: LookupDomainInput): Promise<LookupResult> {
      const observable: Observable = { type: 'domain', value: assertDomain(domain) };
      if (!deps.client) return skipped(observable);
      const report = await deps.client.getDomain(observable.value);
      return { source: 'virustotal', observable, status: 'ok', verdict: toVerdict(observable, report) };
    },
    async virustotalLookupIp({ ip }: LookupIpInput): Promise<LookupResult> {
      const observable: Observable = { type: 'ip', value: assertIp(ip) };
      if (!deps.client) return skipped(observable);
      const report = await deps.client.getIpAddress(ip);
      return { source: 'virustotal', observable, status: 'ok', verdict: toVerdict(observable, report) };
    },
    async virustotalLookupUrl({ url }: LookupUrlInput): Promise<LookupResult> {
      const observable: Observable = { type: 'url', value: assertUrl(url) };
      if (!deps.client) return skipped(observable);
      return { source: 'virustotal', observable, status: 'ok', verdict: toVerdict(observable, await deps.client.getUrl(url)) };
    },
    async virustotalLookupFile({ hash }: LookupFileInput): Promise<LookupResult> {
      const observable: Observable = { type: 'hash', value: assertHash(hash) };
      if (!deps.client) return skipped(observable);
      return { source: 'virustotal', observable, status: 'ok', verdict: toVerdict(observable, await deps.client.getFile(observable.value)) };
    },
  };
}

/**
 * Score = 20 per engine flagging malicious + 10 per engine flagging suspicious, capped at 100.
 * Level: ≥3 malicious → malicious; any malicious or suspicious → suspicious; otherwise info.
 * "No engine flags it" is absence of evidence, not proof of safety, so it is never `safe`.
 */
export function toVerdict(observable: Observable, report: VtObject | null): EnrichmentVerdict {
  if (!report) {
    return { source: 'virustotal', observable, level: 'info', score: 0, summary: 'unknown to VirusTotal', found: false, tags: [], related: [] };
  }
  const a = report.data.attributes;
  const stats = a.last_analysis_stats ?? {};
  const malicious = stats.malicious ?? 0;
  const suspicious = stats.suspicious ?? 0;
  const engines = malicious + suspicious + (stats.harmless ?? 0) + (stats.undetected ?? 0) + (stats.timeout ?? 0);
  const level: VerdictLevel = malicious >= 3 ? 'malicious' : malicious + suspicious > 0 ? 'suspicious' : 'info';
  const first = a.first_submission_date ?? a.creation_date;
  return {
    source: 'virustotal',
    observable,
    level,
    score: Math.min(100, malicious * 20 + suspicious * 10),
    summary: `${malicious}/${engines} engines flag it malicious, ${suspicious} suspicious; reputation ${a.reputation ?? 0}`,
    found: true,
    firstSeen: first ? new Date(first * 1000).toISOString() : undefined,
    // A domain's creation_date is its WHOIS registration date.
    ...(observable.type === 'domain' && a.creation_date ? { registeredAt: new Date(a.creation_date * 1000).toISOString() } : {}),
    tags: (a.tags ?? []).slice(0, 20),
    related: [],
  };
}
