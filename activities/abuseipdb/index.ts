// AbuseIPDB v2 reputation for IP addresses, as the shared verdict shape.
import { assertIp } from '../shared/validate.ts';
import type { Observable } from '../../core/alert.ts';
import type { EnrichmentVerdict, VerdictLevel } from '../../core/verdict.ts';
import type { AbuseIpDbClient } from './client.ts';
import type { AbuseIpDbCheck, CheckIpInput, CheckIpResult } from './types.ts';
import type { IntegrationInfo } from '../shared/integration.ts';

export const info: IntegrationInfo = {
  name: 'abuseipdb',
  title: 'AbuseIPDB v2',
  category: 'enrichment',
  docUrl: 'https://docs.abuseipdb.com/#check-endpoint',
  activities: ['abuseipdbCheckIp'],
  settings: [
    { name: 'ABUSEIPDB_API_KEY', description: 'API key', required: true, secret: true },
    { name: 'ABUSEIPDB_BASE_URL', description: 'API base (https://api.abuseipdb.com/api/v2)' },
    { name: 'ABUSEIPDB_MAX_AGE_DAYS', description: 'how far back reports count (90)' },
  ],
  // The free tier allows 1,000 checks a day.
  rateLimit: { limit: 1000, intervalMs: 86_400_000 },
};

export function createAbuseIpDbActivities(deps: { client?: AbuseIpDbClient }) {
  return {
    async abuseipdbCheckIp({ ip }: CheckIpInput): Promise<CheckIpResult> {
      const observable: Observable = { type: 'ip', value: assertIp(ip) };
      if (!deps.client) {
        return { source: 'abuseipdb', observable, status: 'skipped', reason: 'AbuseIPDB is not configured (ABUSEIPDB_API_KEY unset)' };
      }
      const report = await deps.client.check(ip);
      return { source: 'abuseipdb', observable, status: 'ok', verdict: toVerdict(observable, report) };
    },
  };
}

/**
 * Score = abuseConfidenceScore (0–100). Level: whitelisted → safe; ≥75 → malicious;
 * ≥25 → suspicious; otherwise info (few or no reports is not proof of safety).
 */
export function toVerdict(observable: Observable, report: AbuseIpDbCheck | null): EnrichmentVerdict {
  if (!report) {
    return { source: 'abuseipdb', observable, level: 'info', score: 0, summary: 'unknown to AbuseIPDB', found: false, tags: [], related: [] };
  }
  const d = report.data;
  const score = Math.max(0, Math.min(100, d.abuseConfidenceScore ?? 0));
  const level: VerdictLevel = d.isWhitelisted ? 'safe' : score >= 75 ? 'malicious' : score >= 25 ? 'suspicious' : 'info';
  const tags = [d.usageType, d.countryCode, d.isTor ? 'tor' : undefined].filter((t): t is string => Boolean(t));
  return {
    source: 'abuseipdb',
    observable,
    level,
    score: d.isWhitelisted ? 0 : score,
    summary: `abuse confidence ${score}%, ${d.totalReports ?? 0} reports from ${d.numDistinctUsers ?? 0} users${d.isp ? `; ISP ${d.isp}` : ''}`,
    found: (d.totalReports ?? 0) > 0 || Boolean(d.isWhitelisted),
    tags,
    related: d.domain ? [{ type: 'domain', value: d.domain }] : [],
  };
}
