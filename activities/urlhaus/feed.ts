// URLhaus as a feed: malware URLs added since a time, and the hosts serving them, as indicators.
import { isIP } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { clipDescription, foldIndicators, type FeedResult, type Indicator } from '../../core/indicator.ts';
import { ErrorType } from '../shared/errors.ts';
import { assertDomain, assertUrl } from '../shared/validate.ts';
import { RECENT_MAX, type UrlhausClient } from './client.ts';
import type { UrlhausRecentUrl } from './types.ts';

export async function pullRecent(client: UrlhausClient, since: string | undefined, limit: number): Promise<FeedResult> {
  const startedAt = Date.now();
  const sinceMs = since ? Date.parse(since) : undefined;
  // Each URL gives up to two indicators (the URL and its host); URLhaus answers 1000 URLs at most.
  const asked = Math.min(limit, RECENT_MAX);
  const answer = await client.recentUrls(asked);
  if (answer.query_status !== 'ok' && answer.query_status !== 'no_results') {
    throw ApplicationFailure.create({ type: ErrorType.request, message: `urlhaus: query_status ${String(answer.query_status).slice(0, 60)}`, nonRetryable: true });
  }
  const urls = answer.urls ?? [];
  const fresh = urls.filter((u) => sinceMs === undefined || (addedAt(u) ?? 0) >= sinceMs);
  const folded = foldIndicators(fresh.flatMap(indicatorsOf), limit);
  // A full answer that never reaches back to `since` means older URLs of the window were not sent.
  const reachedSince = sinceMs !== undefined && fresh.length < urls.length;
  const cut = urls.length >= asked && !reachedSince;
  const until = new Date(Math.max(startedAt, sinceMs ?? 0)).toISOString();
  return { status: 'ok', source: 'urlhaus', indicators: folded.indicators, truncated: folded.truncated || cut, until };
}

/** The URL, then its host (an IP or a domain); nothing for what does not parse. */
export function indicatorsOf(u: UrlhausRecentUrl): Indicator[] {
  const added = addedAt(u);
  const description = clipDescription(`URLhaus: ${u.threat ?? 'malware URL'}${u.tags?.length ? ` (${u.tags.join(', ')})` : ''}${u.url_status ? `, ${u.url_status}` : ''}`);
  const context = {
    source: 'urlhaus',
    ...(u.urlhaus_reference ? { reference: u.urlhaus_reference } : { reference: `urlhaus:${u.id}` }),
    ...(description ? { description } : {}),
    ...(added !== undefined ? { firstSeen: new Date(added).toISOString() } : {}),
  };
  const out: Indicator[] = [];
  const url = attempt(() => assertUrl(u.url));
  if (url) out.push({ type: 'url', value: url, ...context });
  const host = (u.host ?? '').trim().replace(/^\[(.*)\]$/, '$1');
  if (isIP(host)) out.push({ type: 'ip', value: host, ...context });
  else {
    const domain = attempt(() => assertDomain(host));
    if (domain) out.push({ type: 'domain', value: domain, ...context });
  }
  return out;
}

/** "2026-11-30 21:14:07 UTC" → epoch ms. */
function addedAt(u: UrlhausRecentUrl): number | undefined {
  if (!u.date_added) return undefined;
  const ms = Date.parse(u.date_added.replace(' UTC', 'Z').replace(' ', 'T'));
  return Number.isNaN(ms) ? undefined : ms;
}

function attempt(check: () => string): string | undefined {
  try {
    return check();
  } catch {
    return undefined;
  }
}
