// AbuseIPDB v2 reputation for IP addresses, as the shared verdict shape.
import { assertIp } from '../shared/validate.ts';
import type { Observable } from '../../core/alert.ts';
import type { EnrichmentVerdict, VerdictLevel } from '../../core/verdict.ts';
import { Secret } from '../../config/secret.ts';
import { integrationState } from '../shared/integration.ts';
import { limiterFor } from '../shared/rate-limit.ts';
import { AbuseIpDbClient } from './client.ts';
import type { AbuseIpDbCheck, CheckIpInput, CheckIpResult } from './types.ts';
import { info } from './info.ts';

export { info };

/** A client from the environment, or none when ABUSEIPDB_API_KEY is unset. */
export function abuseipdbFromEnv(env: Record<string, string | undefined>): AbuseIpDbClient | undefined {
  const state = integrationState(info, env);
  if (!state.configured) return undefined;
  const days = Number(env.ABUSEIPDB_MAX_AGE_DAYS?.trim() || 90);
  return new AbuseIpDbClient({
    baseUrl: (env.ABUSEIPDB_BASE_URL?.trim() || 'https://api.abuseipdb.com/api/v2').replace(/\/+$/, ''),
    apiKey: new Secret((env.ABUSEIPDB_API_KEY as string).trim()),
    maxAgeInDays: Number.isInteger(days) && days >= 1 && days <= 365 ? days : 90,
    limiter: limiterFor(info.name, state.rateLimit),
  });
}

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
