// The IOC sweep's own steps (the scheduled retro-hunt, workflows/playbooks/ioc-sweep.ts): pull
// new indicators from the configured feeds into the indicator store, read the active ones and the
// window since the last sweep, report every sighting to the API as an alert (source `hunt`, the
// normal ingest path: it lands in a case and its playbook runs), and record the run.
import { ApplicationFailure } from '@temporalio/common';
import type { FeedResult, Indicator } from '../../core/indicator.ts';
import fs from 'node:fs';
import { tokensFile } from '../../config/tokens.ts';
import { indicatorsFile, type IndicatorStore, type SweepRun, type SweepSighting, SqliteIndicatorStore } from '../../store/indicators.ts';
import { ErrorType } from '../shared/errors.ts';
import type { LoadIndicatorsInput, LoadIndicatorsResult, PullFeedsInput, PullFeedsResult, RecordSweepInput, ReportSightingsInput, ReportSightingsResult } from './types.ts';
import { info } from './info.ts';

export { info };

type Env = Record<string, string | undefined>;
type Feed = (input: { since: string; limit?: number }) => Promise<FeedResult>;

/** Feed indicators that carry no expiry of their own age out after this long. */
const FEED_TTL_MS = 30 * 86_400_000;
/** A feed never pulled before starts this far back. */
const FIRST_PULL_MS = 86_400_000;
/** Sightings per POST (the API takes at most 1,000 alerts per request). */
const POST_BATCH = 500;

export interface SweepDeps {
  env: Env;
  dataDir: string;
  feeds: Record<string, Feed>;
  /** Which feeds are configured (their credentials are set). */
  configured: (feed: string) => boolean;
  /** The indicator store (default: indicators.db in the data directory, opened on first use). */
  store?: () => Promise<IndicatorStore>;
}

export function createSweepActivities(deps: SweepDeps) {
  let store: Promise<IndicatorStore> | undefined;
  const opened = () => (store ??= deps.store ? deps.store() : Promise.resolve(new SqliteIndicatorStore(deps.env.RIPOSTE_INDICATORS_FILE ?? indicatorsFile(deps.dataDir))));
  const indicators = async () => opened();
  return {
    /** Pulls each configured feed since its watermark; stores what is new (not in a dry run). */
    async sweepPullFeeds(input: PullFeedsInput): Promise<PullFeedsResult> {
      const now = new Date();
      const results: PullFeedsResult['feeds'] = [];
      for (const [source, pull] of Object.entries(deps.feeds)) {
        if (!deps.configured(source)) {
          results.push({ source, status: 'skipped', reason: `${source} is not configured` });
          continue;
        }
        const since = (await (await indicators()).watermark(`feed:${source}`)) ?? new Date(now.getTime() - FIRST_PULL_MS).toISOString();
        try {
          const got = await pull({ since, limit: input.limit });
          if (got.status === 'skipped') {
            results.push({ source, status: 'skipped', reason: got.reason });
            continue;
          }
          const expiring = got.indicators.map((i): Indicator => (i.expiresAt ? i : { ...i, expiresAt: new Date(now.getTime() + FEED_TTL_MS).toISOString() }));
          const stored = input.dryRun ? 0 : await (await indicators()).upsertFeed(expiring, now);
          if (!input.dryRun) await (await indicators()).setWatermark(`feed:${source}`, got.until);
          results.push({ source, status: 'ok', pulled: got.indicators.length, stored, truncated: got.truncated });
        } catch (err) {
          results.push({ source, status: 'failed', reason: ((err as Error).message ?? String(err)).slice(0, 300) });
        }
      }
      return { feeds: results };
    },

    /** The active indicators, and the window this sweep covers: from the last sweep's end to now. */
    async sweepLoadIndicators(input: LoadIndicatorsInput): Promise<LoadIndicatorsResult> {
      const to = new Date();
      const from = (await (await indicators()).watermark('hunt')) ?? new Date(to.getTime() - input.firstWindowMs).toISOString();
      const active = await (await indicators()).active(input.limit + 1, to);
      return {
        indicators: active.slice(0, input.limit).map((i) => ({ type: i.type, value: i.value, source: i.source })),
        truncated: active.length > input.limit,
        from,
        to: to.toISOString(),
      };
    },

    /** Posts the sightings to the API as alerts (source `hunt`); a re-post is answered as a duplicate. */
    async sweepReportSightings(input: ReportSightingsInput): Promise<ReportSightingsResult> {
      const { url, token } = apiTarget(deps);
      const alerts: ReportSightingsResult['alerts'] = [];
      for (let i = 0; i < input.sightings.length; i += POST_BATCH) {
        const batch = input.sightings.slice(i, i + POST_BATCH);
        let res: Response;
        try {
          res = await fetch(`${url}/v1/alerts/hunt`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': `${input.sweepId}:${i}` },
            body: JSON.stringify({ sweepId: input.sweepId, sightings: batch }),
            signal: AbortSignal.timeout(30_000),
          });
        } catch (err) {
          throw ApplicationFailure.create({ type: ErrorType.unavailable, message: `sweep: the API at ${url} did not answer (${(err as Error).message})` });
        }
        const body = (await res.json().catch(() => ({}))) as { results?: Array<{ alertId?: string; caseId?: string | null; outcome?: string }>; detail?: string };
        if (res.status === 401 || res.status === 403) throw ApplicationFailure.nonRetryable(`sweep: the API refused the source token (HTTP ${res.status})`, ErrorType.auth);
        if (res.status === 429 || res.status >= 500) throw ApplicationFailure.create({ type: ErrorType.unavailable, message: `sweep: the API answered HTTP ${res.status}; retrying` });
        if (res.status >= 400) throw ApplicationFailure.nonRetryable(`sweep: the API refused the sightings (HTTP ${res.status}): ${body.detail ?? ''}`, ErrorType.request);
        for (const r of body.results ?? []) alerts.push({ alertId: r.alertId ?? '', caseId: r.caseId ?? null, outcome: r.outcome ?? 'unknown' });
      }
      return { alerts };
    },

    /** Records the run (once) and, unless it was a dry run, moves the hunt watermark to its end. */
    async sweepRecordRun(input: RecordSweepInput): Promise<SweepRun> {
      const run = await (await indicators()).recordSweep(input.run, input.sightings as SweepSighting[]);
      if (input.run.status === 'ok' || input.run.status === 'partial') await (await indicators()).setWatermark('hunt', input.run.to);
      return run;
    },
  };
}

/** Where sightings go: RIPOSTE_API_URL (or this host's API) with a source token. */
function apiTarget(deps: SweepDeps): { url: string; token: string } {
  const { env } = deps;
  const url = (env.RIPOSTE_API_URL ?? `http://127.0.0.1:${env.RIPOSTE_PORT ?? 8080}`).replace(/\/+$/, '');
  let token = env.RIPOSTE_SOURCE_TOKEN;
  if (!token) {
    // `npm start` keeps one token per role in the data dir; the worker reads the source one.
    try {
      token = (JSON.parse(fs.readFileSync(tokensFile(deps.dataDir), 'utf8')) as { source?: string }).source;
    } catch {
      token = undefined;
    }
  }
  if (!token) throw ApplicationFailure.nonRetryable('sweep: no source token to post sightings with (set RIPOSTE_SOURCE_TOKEN)', ErrorType.auth);
  return { url, token };
}
