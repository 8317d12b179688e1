// OTX as a feed: the active indicators of subscribed pulses modified since a time.
import { clipDescription, foldIndicators, indicatorKey, type FeedResult, type Indicator, type IndicatorType } from '../../core/indicator.ts';
import { heartbeat } from '../shared/heartbeat.ts';
import { indicatorValue } from '../shared/validate.ts';
import type { OtxClient } from './client.ts';
import type { OtxPulse, OtxPulseIndicator } from './types.ts';

/** OTX's indicator types Riposte hunts; CIDR, email, URI, CVE, mutexes, file paths and the rest are left out. */
const TYPES: Record<string, IndicatorType> = {
  IPv4: 'ip',
  IPv6: 'ip',
  domain: 'domain',
  hostname: 'domain',
  URL: 'url',
  'FileHash-MD5': 'hash',
  'FileHash-SHA1': 'hash',
  'FileHash-SHA256': 'hash',
};

/** Pulses per page (the OTX SDK's default), and pages followed at most per pull. */
export const PAGE_SIZE = 50;
export const MAX_PAGES = 20;

export async function pullSubscribed(client: OtxClient, since: string, limit: number): Promise<FeedResult> {
  const startedAt = new Date();
  const now = startedAt.getTime();
  const sinceMs = Date.parse(since);
  const candidates: Indicator[] = [];
  let partial = false;
  let next: string | null | undefined;
  for (let page = 1; page <= MAX_PAGES; page++) {
    const answer = await client.subscribedPulses(page === 1 ? { modifiedSince: since.replace(/\.\d+Z$/, 'Z'), limit: PAGE_SIZE } : { next: next as string });
    heartbeat({ page });
    for (const pulse of answer.results ?? []) {
      // modified_since is the vendor's filter; a pulse older than `since` is not this pull's.
      if (pulse.modified && utc(pulse.modified) < sinceMs) continue;
      if (pulse.more_indicators) partial = true;
      for (const i of pulse.indicators ?? []) {
        const indicator = indicatorOf(pulse, i, now);
        if (indicator) candidates.push(indicator);
      }
    }
    next = answer.next;
    if (!next || !URL.canParse(next)) break;
    if (new Set(candidates.map(indicatorKey)).size > limit) break;
  }
  const folded = foldIndicators(candidates, limit);
  const until = new Date(Math.max(now, sinceMs)).toISOString();
  return { status: 'ok', source: 'otx', indicators: folded.indicators, truncated: folded.truncated || partial || Boolean(next), until };
}

/** A pulse's indicator as Riposte holds it; nothing when inactive, expired, of a type not hunted, or junk. */
export function indicatorOf(pulse: OtxPulse, i: OtxPulseIndicator, now: number): Indicator | undefined {
  const type = TYPES[i.type];
  if (!type || i.is_active === 0 || i.is_active === false) return undefined;
  if (i.expiration && utc(i.expiration) <= now) return undefined;
  const value = indicatorValue(type, i.indicator);
  if (!value) return undefined;
  const description = clipDescription([`OTX pulse "${pulse.name}"`, i.title, i.description].filter(Boolean).join(' — '));
  return {
    type,
    value,
    source: 'otx',
    reference: `https://otx.alienvault.com/pulse/${encodeURIComponent(pulse.id)}`,
    ...(description ? { description } : {}),
    ...(i.created && !Number.isNaN(utc(i.created)) ? { firstSeen: new Date(utc(i.created)).toISOString() } : {}),
    ...(i.expiration && !Number.isNaN(utc(i.expiration)) ? { expiresAt: new Date(utc(i.expiration)).toISOString() } : {}),
  };
}

/** OTX writes UTC without a zone ("2026-11-21T10:02:11.512000"). */
function utc(t: string): number {
  return Date.parse(/(Z|[+-]\d{2}:?\d{2})$/i.test(t) ? t : `${t}Z`);
}
