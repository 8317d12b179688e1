// The first-seen domain source: the log importer's `--alert` and `--baseline`. Every domain the
// imported lines queried (DNS) or visited (proxy) is recorded in the first-seen store; one
// recorded for the first time becomes an alert posted to Riposte's own API (POST /v1/alerts, an
// OCSF Detection Finding of the rule "First-seen domain"), the normal ingest path.
//
// "Seen" and "alerted" are kept apart: a new domain is recorded and its alert queued in one
// transaction, before the log file's offset moves; the alert leaves the queue only when the API
// has accepted it. A failed post is retried with backoff, and what is still queued is posted on
// the next run — a first sighting is never lost, and (deterministic finding uid + Idempotency-Key)
// never posted twice.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { isIP } from 'node:net';
import type { FirstSeenStore, LogSighting, Sighting } from '../dns/first-seen.ts';
import { importFile, queriedDomain, type LogKind } from './importers.ts';
import type { LogLine, LogStore } from './store.ts';
import { FIRST_SEEN_DOMAIN_RULE } from './types.ts';

/** OCSF Informational: a first sighting alone proves nothing; the playbook decides. */
export const FIRST_SEEN_SEVERITY = 1;

/** The OCSF Detection Finding posted for a domain's first sighting (the fields Riposte reads). */
export interface FirstSeenFinding {
  class_uid: 2004;
  activity_id: 1;
  time: number;
  severity_id: number;
  finding_info: { uid: string; title: string; desc: string; analytic: { name: string; uid: string } };
  evidences: Array<{ src_endpoint?: { ip?: string; hostname?: string }; query: { hostname: string } }>;
  metadata: { product: { name: string; vendor_name: string } };
}

/**
 * The finding for a domain's first sighting. Built from the first sighting only (never from
 * counts that grow), so a re-post after a lost answer sends the very same body.
 */
export function firstSeenFinding(domain: string, first: Sighting): FirstSeenFinding {
  const host = first.host;
  const uid = `${FIRST_SEEN_DOMAIN_RULE.uid}:${domain}`;
  return {
    class_uid: 2004,
    activity_id: 1,
    time: Date.parse(first.at),
    severity_id: FIRST_SEEN_SEVERITY,
    finding_info: {
      // Deterministic per domain: the API answers a re-sent uid as a duplicate. finding_info.uid holds 256 characters at most.
      uid: uid.length <= 256 ? uid : `${FIRST_SEEN_DOMAIN_RULE.uid}:sha256:${sha256(domain)}`,
      title: `First-seen domain: ${domain}`.slice(0, 512),
      desc: `${domain} was looked up for the first time in this estate at ${first.at}${host ? ` by ${host}` : ''} (${first.source}).`,
      analytic: { ...FIRST_SEEN_DOMAIN_RULE },
    },
    evidences: [{ ...(host ? { src_endpoint: isIP(host) ? { ip: host } : { hostname: host } } : {}), query: { hostname: domain } }],
    metadata: { product: { name: 'Riposte logs:import', vendor_name: 'Riposte' } },
  };
}

/** The Idempotency-Key of a domain's alert (≤ 255 characters whatever the domain). */
export function firstSeenIdempotencyKey(domain: string): string {
  return `riposte-first-seen-domain-${sha256(domain).slice(0, 40)}`;
}

function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

/** The domains a batch of imported lines saw, each with its sighting. */
export function logSightings(kind: LogKind, lines: LogLine[]): LogSighting[] {
  return lines.flatMap((l) => {
    const domain = queriedDomain(kind, l.line);
    return domain ? [{ domain, sighting: { at: l.at, source: `${kind} ${l.file}`.slice(0, 200), ...(l.host ? { host: l.host.slice(0, 253) } : {}) } }] : [];
  });
}

export type SourceMode = 'alert' | 'baseline';

export class NoBaselineError extends Error {
  constructor() {
    super(
      'the first-seen store has no baseline yet: import the estate\'s history once with --baseline (it records every domain without alerting), then use --alert for what comes after'
    );
    this.name = 'NoBaselineError';
  }
}

export interface ImportResult {
  file: string;
  imported: number;
  skipped: number;
  /** Domains this import recorded for the first time (queued for alerts with --alert). */
  newDomains: string[];
  /** The file does not exist (yet): --follow waits for it. */
  missing?: boolean;
}

/**
 * Imports what was appended to each file into the log store, recording the domains in the
 * first-seen store first (and, with `alert`, queuing an alert for each new one). With
 * `baseline` the import is marked as the estate's baseline.
 */
export function importWithFirstSeen(opts: { logs: LogStore; firstSeen: FirstSeenStore; kind: LogKind; files: string[]; mode: SourceMode; now?: Date; allowMissing?: boolean }): ImportResult[] {
  const { logs, firstSeen, kind, mode } = opts;
  if (mode === 'alert' && !firstSeen.baselineAt()) throw new NoBaselineError();
  const results: ImportResult[] = [];
  for (const file of opts.files) {
    if (opts.allowMissing && !fs.existsSync(file)) {
      results.push({ file, imported: 0, skipped: 0, newDomains: [], missing: true });
      continue;
    }
    let newDomains: string[] = [];
    const { imported, skipped } = importFile(logs, kind, file, opts.now, (lines) => {
      newDomains = firstSeen.recordLogSightings(logSightings(kind, lines), { alert: mode === 'alert' });
    });
    results.push({ file, imported, skipped, newDomains });
  }
  if (mode === 'baseline') firstSeen.markBaseline(new Date().toISOString());
  return results;
}

// ---- Posting --------------------------------------------------------------------------------

export interface PostOptions {
  /** The API, e.g. http://127.0.0.1:8080 (RIPOSTE_API_URL). */
  apiUrl: string;
  /** A `source` token. */
  token: string;
  /** Tries per alert before the run gives up on it (default 5). */
  attempts?: number;
  /** First backoff between tries, doubling (default 1 s), at most `maxBackoffMs` (default 30 s). */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Per request (default 10 s). */
  timeoutMs?: number;
  log?: (line: string) => void;
  sleep?: (ms: number) => Promise<void>;
}

export interface PostedAlert {
  domain: string;
  alertId?: string;
  caseId?: string | null;
  /** The API already had it (a re-post after an answer that was lost). */
  duplicate: boolean;
}

export interface PostResult {
  posted: PostedAlert[];
  /** Alerts still queued after this run (posted on the next). */
  waiting: number;
  /** Why the run stopped posting, when it did. */
  error?: string;
}

class PostError extends Error {
  constructor(
    message: string,
    /** Retrying this alert cannot help (the API refused it as malformed). */
    readonly refused = false,
    /** No alert can be posted (credentials): stop the run. */
    readonly fatal = false,
    readonly retryAfterMs?: number
  ) {
    super(message);
  }
}

/**
 * Posts every queued alert, oldest first. A failure is retried with backoff; an alert that still
 * fails stays queued (its attempts and last error recorded) and the run stops there, since the
 * API is unreachable or refusing — the next run starts again from it. An alert the API refuses
 * as malformed stays queued too, and the others go on.
 */
export async function postPendingAlerts(firstSeen: FirstSeenStore, opts: PostOptions): Promise<PostResult> {
  const posted: PostedAlert[] = [];
  const log = opts.log ?? (() => {});
  const refused = new Set<string>();
  for (;;) {
    const batch = firstSeen.pendingAlerts(100).filter((p) => !refused.has(p.domain));
    if (batch.length === 0) break;
    for (const p of batch) {
      try {
        const answer = await postWithRetry(firstSeenFinding(p.domain, p.first), firstSeenIdempotencyKey(p.domain), opts);
        firstSeen.markAlerted(p.domain, { at: new Date().toISOString(), ...answer });
        posted.push({ domain: p.domain, ...answer });
        log(`alert for ${p.domain}: ${answer.duplicate ? 'already posted' : 'posted'}${answer.alertId ? ` (${answer.alertId}${answer.caseId ? `, case ${answer.caseId}` : ''})` : ''}`);
      } catch (err) {
        const e = err instanceof PostError ? err : new PostError(String(err));
        firstSeen.markAlertFailed(p.domain, e.message);
        if (e.refused) {
          refused.add(p.domain);
          log(`alert for ${p.domain}: refused by the API (${e.message}); it stays queued`);
          continue;
        }
        return { posted, waiting: firstSeen.pendingAlerts(1_000_000).length, error: `could not post the alert for ${p.domain}: ${e.message}` };
      }
    }
  }
  return { posted, waiting: firstSeen.pendingAlerts(1_000_000).length };
}

async function postWithRetry(finding: FirstSeenFinding, key: string, opts: PostOptions): Promise<{ alertId?: string; caseId?: string | null; duplicate: boolean }> {
  const attempts = Math.max(1, opts.attempts ?? 5);
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let backoff = opts.backoffMs ?? 1000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await postOnce(finding, key, opts);
    } catch (err) {
      const e = err instanceof PostError ? err : new PostError(String(err));
      if (e.refused || e.fatal || attempt >= attempts) throw e;
      (opts.log ?? (() => {}))(`post failed (${e.message}); try ${attempt + 1} of ${attempts} in ${Math.round((e.retryAfterMs ?? backoff) / 100) / 10} s`);
      await sleep(e.retryAfterMs ?? backoff);
      backoff = Math.min(backoff * 2, opts.maxBackoffMs ?? 30_000);
    }
  }
}

async function postOnce(finding: FirstSeenFinding, key: string, opts: PostOptions): Promise<{ alertId?: string; caseId?: string | null; duplicate: boolean }> {
  let res: Response;
  try {
    res = await fetch(`${opts.apiUrl.replace(/\/+$/, '')}/v1/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${opts.token}`, 'idempotency-key': key },
      body: JSON.stringify(finding),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new PostError(`${opts.apiUrl} unreachable (${cause?.code ?? cause?.message ?? (err as Error).message})`);
  }
  const text = await res.text();
  if (res.status === 202 || res.status === 200) {
    const body = parse(text) as { alertId?: string; caseId?: string | null; duplicate?: boolean };
    return { ...(body.alertId ? { alertId: body.alertId } : {}), caseId: body.caseId ?? null, duplicate: Boolean(body.duplicate) || res.headers.get('idempotent-replayed') === 'true' };
  }
  const detail = ((parse(text) as { detail?: string; title?: string } | undefined)?.detail ?? text).slice(0, 300);
  // The key was used before: the API has this domain's alert already.
  if (res.status === 409) return { duplicate: true };
  if (res.status === 401 || res.status === 403) throw new PostError(`HTTP ${res.status}: the token is not a valid source token (${detail})`, false, true);
  if (res.status === 429) throw new PostError(`HTTP 429: ${detail}`, false, false, retryAfter(res.headers.get('retry-after')));
  if (res.status >= 400 && res.status < 500) throw new PostError(`HTTP ${res.status}: ${detail}`, true);
  throw new PostError(`HTTP ${res.status}: ${detail}`);
}

function retryAfter(h: string | null): number | undefined {
  const s = Number(h);
  return h !== null && Number.isFinite(s) && s >= 0 ? Math.min(s, 300) * 1000 : undefined;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
