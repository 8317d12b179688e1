// `npm run logs:import -- --kind squid /var/log/squid/access.log [more files]`
// Loads proxy and DNS logs into the local log store (data/logs.db, or RIPOSTE_LOGSTORE_FILE) that
// the `logstoreHunt` activity searches. Re-running imports only what was appended since.
//
// The first-seen domain source (activities/logstore/first-seen-source.ts):
//   --baseline  records every domain the lines queried or visited in the first-seen store
//               (data/first-seen.db, the worker's), without alerting: the estate's history.
//   --alert     records them too, and posts an alert (POST /v1/alerts, rule "First-seen domain")
//               for each domain recorded for the first time. Needs a baseline first.
//   --follow    keeps reading what is appended to the files, every --interval seconds (5): a
//               long-running importer that tails a resolver's query log.
// The API is RIPOSTE_API_URL (http://127.0.0.1:${RIPOSTE_PORT:-8080}); the token is
// RIPOSTE_SOURCE_TOKEN, else the `source` token in data/tokens.json.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { tokensFile } from '../config/tokens.ts';
import { FirstSeenStore } from '../activities/dns/first-seen.ts';
import { importWithFirstSeen, NoBaselineError, postPendingAlerts, type ImportResult, type PostOptions, type SourceMode } from '../activities/logstore/first-seen-source.ts';
import { importFile, LOG_KINDS, type LogKind } from '../activities/logstore/importers.ts';
import { LogStore } from '../activities/logstore/store.ts';

const USAGE = `usage: npm run logs:import -- --kind <${LOG_KINDS.join('|')}> <file>… [--store data/logs.db] [--baseline | --alert] [--follow [--interval 5]]`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    kind: { type: 'string', short: 'k' },
    store: { type: 'string' },
    alert: { type: 'boolean', default: false },
    baseline: { type: 'boolean', default: false },
    follow: { type: 'boolean', short: 'f', default: false },
    interval: { type: 'string', default: '5' },
  },
});
const kind = values.kind as LogKind | undefined;
const interval = Number(values.interval);
if (!kind || !LOG_KINDS.includes(kind) || positionals.length === 0 || (values.alert && values.baseline) || !(interval > 0)) {
  console.error(USAGE);
  if (values.alert && values.baseline) console.error('--alert and --baseline exclude each other: --baseline records without alerting');
  process.exit(2);
}
const mode: SourceMode | undefined = values.alert ? 'alert' : values.baseline ? 'baseline' : undefined;
const env = process.env;
const dataDir = env.RIPOSTE_DATA_DIR ?? 'data';
const storeFile = values.store ?? env.RIPOSTE_LOGSTORE_FILE ?? path.join(dataDir, 'logs.db');
// The worker opens the same file (worker/deps.ts: <RIPOSTE_DATA_DIR>/first-seen.db).
const firstSeenFile = path.join(dataDir, 'first-seen.db');
const files = positionals.map((f) => path.resolve(f));

function sourceToken(): string | undefined {
  if (env.RIPOSTE_SOURCE_TOKEN) return env.RIPOSTE_SOURCE_TOKEN;
  try {
    const stored = JSON.parse(fs.readFileSync(tokensFile(dataDir), 'utf8')) as Record<string, unknown>;
    return typeof stored.source === 'string' ? stored.source : undefined;
  } catch {
    return undefined;
  }
}

let post: PostOptions | undefined;
if (mode === 'alert') {
  const token = sourceToken();
  if (!token) {
    console.error(`--alert needs a source token: set RIPOSTE_SOURCE_TOKEN, or start Riposte once so that ${tokensFile(dataDir)} holds one`);
    process.exit(2);
  }
  post = { apiUrl: env.RIPOSTE_API_URL ?? `http://127.0.0.1:${env.RIPOSTE_PORT ?? 8080}`, token, log: (l) => console.log(l) };
}

const logs = new LogStore(storeFile);
const firstSeen = mode ? new FirstSeenStore(firstSeenFile) : undefined;

function report(results: ImportResult[], quiet: boolean): void {
  for (const r of results) {
    if (r.missing || (quiet && r.imported === 0 && r.skipped === 0)) continue;
    const fresh = r.newDomains.length ? `; ${r.newDomains.length} domain${r.newDomains.length === 1 ? '' : 's'} seen for the first time${mode === 'alert' ? ' (alerts queued)' : ' (baseline, no alerts)'}` : '';
    console.log(`${r.file}: ${r.imported} lines imported${r.skipped ? `, ${r.skipped} not ${kind} lines skipped` : ''}${fresh}`);
  }
}

/** One pass: import what is new, then post what waits. True when nothing is left waiting. */
async function pass(quiet: boolean): Promise<boolean> {
  if (!firstSeen || !mode) {
    for (const f of files) {
      if (values.follow && !fs.existsSync(f)) continue;
      const { imported, skipped } = importFile(logs, kind as LogKind, f);
      if (!quiet || imported + skipped > 0) console.log(`${f}: ${imported} lines imported${skipped ? `, ${skipped} not ${kind} lines skipped` : ''}`);
    }
    return true;
  }
  report(importWithFirstSeen({ logs, firstSeen, kind: kind as LogKind, files, mode, allowMissing: values.follow }), quiet);
  if (!post) return true;
  const { posted, waiting, error } = await postPendingAlerts(firstSeen, post);
  if (!quiet || posted.length || error) console.log(`alerts: ${posted.length} posted${waiting ? `, ${waiting} waiting for the next run` : ''}${error ? ` — ${error}` : ''}`);
  return !error;
}

async function main(): Promise<number> {
  if (!values.follow) {
    const ok = await pass(false);
    console.log(`${storeFile}: ${logs.count()} lines in all${firstSeen ? `; ${firstSeenFile}: ${firstSeen.count()} domains` : ''}`);
    return ok ? 0 : 1;
  }
  let stopping = false;
  let wake: () => void = () => {};
  const stop = () => {
    stopping = true;
    wake();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  console.log(`following ${files.join(', ')} every ${interval} s${mode ? ` (${mode})` : ''}; stop with Ctrl-C`);
  for (let first = true; !stopping; first = false) {
    try {
      await pass(!first);
    } catch (err) {
      if (err instanceof NoBaselineError) throw err;
      console.error(`import failed: ${(err as Error).message}; trying again in ${interval} s`);
    }
    if (stopping) break;
    await new Promise<void>((r) => {
      const t = setTimeout(r, interval * 1000);
      wake = () => {
        clearTimeout(t);
        r();
      };
    });
  }
  return 0;
}

main()
  .then((code) => {
    logs.close();
    firstSeen?.close();
    process.exit(code);
  })
  .catch((err: unknown) => {
    console.error(err instanceof NoBaselineError ? `--alert: ${err.message}` : `logs:import failed: ${(err as Error).message ?? String(err)}`);
    logs.close();
    firstSeen?.close();
    process.exit(err instanceof NoBaselineError ? 2 : 1);
  });
