// GreyNoise: is this address internet background noise (a mass scanner), a known-good service,
// or seen acting maliciously? Context for "unknown" IPs, as the shared verdict shape.
import { assertIp } from '../shared/validate.ts';
import type { Observable } from '../../core/alert.ts';
import type { EnrichmentVerdict } from '../../core/verdict.ts';
import { Secret } from '../../config/secret.ts';
import { integrationState, defineIntegration } from '../shared/integration.ts';
import { limiterFor } from '../shared/rate-limit.ts';
import { GreyNoiseClient } from './client.ts';
import type { GreyNoiseCommunity, LookupIpInput, LookupResult } from './types.ts';
import { info } from './info.ts';

export { info };

/** A client from the environment, or none when GREYNOISE_API_KEY is unset. */
export function greynoiseFromEnv(env: Record<string, string | undefined>): GreyNoiseClient | undefined {
  const state = integrationState(info, env);
  if (!state.configured) return undefined;
  return new GreyNoiseClient({
    baseUrl: (env.GREYNOISE_BASE_URL ?? 'https://api.greynoise.io').replace(/\/+$/, ''),
    apiKey: new Secret(env.GREYNOISE_API_KEY as string),
    limiter: limiterFor(info.name, state.rateLimit),
  });
}

export function createGreyNoiseActivities(deps: { client?: GreyNoiseClient }) {
  return {
    async greynoiseLookupIp({ ip }: LookupIpInput): Promise<LookupResult> {
      const observable: Observable = { type: 'ip', value: assertIp(ip) };
      if (!deps.client) return { source: 'greynoise', observable, status: 'skipped', reason: 'GreyNoise is not configured (GREYNOISE_API_KEY unset)' };
      const { found, body } = await deps.client.community(ip);
      return { source: 'greynoise', observable, status: 'ok', verdict: toVerdict(observable, found ? body : null) };
    },
  };
}

/**
 * classification malicious → malicious (score 80); RIOT or benign → safe (a known service or a
 * benign scanner: traffic to it is not command and control); noise with unknown intent →
 * suspicious (score 30: it scans the internet); never seen → info, found: false.
 */
export function toVerdict(observable: Observable, g: GreyNoiseCommunity | null): EnrichmentVerdict {
  if (!g) return { source: 'greynoise', observable, level: 'info', score: 0, summary: 'never seen by GreyNoise', found: false, tags: [], related: [] };
  const who = g.name && g.name !== 'unknown' ? ` (${g.name})` : '';
  const base = { source: 'greynoise', observable, found: true, tags: [g.riot ? 'riot' : '', g.noise ? 'noise' : ''].filter(Boolean), related: [] };
  if (g.classification === 'malicious') return { ...base, level: 'malicious', score: 80, summary: `GreyNoise classifies it malicious${who}; last seen ${g.last_seen ?? 'unknown'}` };
  if (g.riot) return { ...base, level: 'safe', score: 0, summary: `a known business service${who} (GreyNoise RIOT)` };
  if (g.classification === 'benign') return { ...base, level: 'safe', score: 0, summary: `a benign internet scanner${who}` };
  if (g.noise) return { ...base, level: 'suspicious', score: 30, summary: `scans the internet, intent unknown${who}; last seen ${g.last_seen ?? 'unknown'}` };
  return { ...base, level: 'info', score: 0, summary: `known to GreyNoise, no classification${who}` };
}

/** Registered in activities/catalog.ts. */
export const integration = defineIntegration({ info, activities: (ctx) => createGreyNoiseActivities({ client: greynoiseFromEnv(ctx.env) }) });
