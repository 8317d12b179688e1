// MISP as a feed: IDS attributes of events published since a time, as indicators.
import { clipDescription, foldIndicators, indicatorKey, type FeedResult, type Indicator, type IndicatorType } from '../../core/indicator.ts';
import { heartbeat } from '../shared/heartbeat.ts';
import { indicatorValue } from '../shared/validate.ts';
import type { MispAttribute, MispClient } from './client.ts';

/**
 * The attribute types asked for, and which part of the value is which indicator. Composite
 * types (`a|b`) give their network or hash part: the IP of ip-dst|port, the hash of
 * filename|sha256, both halves of domain|ip. Ports and file names are not indicators here.
 */
const PARTS: Record<string, ReadonlyArray<readonly ['whole' | 'first' | 'last', IndicatorType]>> = {
  'ip-dst': [['whole', 'ip']],
  'ip-src': [['whole', 'ip']],
  'ip-dst|port': [['first', 'ip']],
  'ip-src|port': [['first', 'ip']],
  domain: [['whole', 'domain']],
  hostname: [['whole', 'domain']],
  'hostname|port': [['first', 'domain']],
  'domain|ip': [['first', 'domain'], ['last', 'ip']],
  url: [['whole', 'url']],
  md5: [['whole', 'hash']],
  sha1: [['whole', 'hash']],
  sha256: [['whole', 'hash']],
  'filename|md5': [['last', 'hash']],
  'filename|sha1': [['last', 'hash']],
  'filename|sha256': [['last', 'hash']],
};
export const MISP_FEED_TYPES = Object.keys(PARTS);

/** Pages asked at most per pull: duplicates and unusable values can leave a full page short of `limit`. */
export const MAX_PAGES = 5;

export async function pullRecent(client: MispClient, since: string, limit: number): Promise<FeedResult> {
  const startedAt = new Date();
  const publishedSince = Math.floor(Date.parse(since) / 1000);
  const candidates: Indicator[] = [];
  let exhausted = false;
  for (let page = 1; page <= MAX_PAGES; page++) {
    const attributes = await client.recentAttributes({ publishedSince, types: MISP_FEED_TYPES, page, limit });
    heartbeat({ page });
    for (const a of attributes) candidates.push(...indicatorsOf(a, client));
    if (attributes.length < limit) {
      exhausted = true;
      break;
    }
    if (new Set(candidates.map(indicatorKey)).size > limit) break;
  }
  const folded = foldIndicators(candidates, limit);
  const until = new Date(Math.max(startedAt.getTime(), Date.parse(since))).toISOString();
  return { status: 'ok', source: 'misp', indicators: folded.indicators, truncated: folded.truncated || !exhausted, until };
}

/** The indicators one attribute gives: none for a warninglist hit, a non-IDS or deleted attribute, or junk. */
export function indicatorsOf(a: MispAttribute, client: Pick<MispClient, 'eventLink'>): Indicator[] {
  const parts = PARTS[a.type];
  if (!parts || a.to_ids === false || a.deleted === true || a.blocked === true || typeof a.value !== 'string') return [];
  const description = clipDescription([a.Event?.info, a.comment].filter(Boolean).join(' — '));
  const context = {
    source: 'misp',
    reference: client.eventLink(a.event_id),
    ...(description ? { description } : {}),
    // first_seen is when the indicator was first seen; the attribute's timestamp is only its last edit.
    ...(a.first_seen && !Number.isNaN(Date.parse(a.first_seen)) ? { firstSeen: new Date(a.first_seen).toISOString() } : {}),
  };
  const out: Indicator[] = [];
  for (const [part, type] of parts) {
    const value = indicatorValue(type, pick(a.value, part));
    if (value) out.push({ type, value, ...context });
  }
  return out;
}

function pick(value: string, part: 'whole' | 'first' | 'last'): string {
  if (part === 'whole') return value;
  const bar = part === 'first' ? value.indexOf('|') : value.lastIndexOf('|');
  if (bar < 0) return '';
  return part === 'first' ? value.slice(0, bar) : value.slice(bar + 1);
}
