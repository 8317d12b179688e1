// `node --import tsx scripts/audit.ts <command>`: the audit log from the shell.
//   verify [--file path]     walk the hash chain; exit 0 when intact, 1 naming the first bad entry
//   list [--actor a] [--case id] [--action x] [--since iso] [--until iso] [--before seq] [--limit n] [--file path]
//                            matching entries, newest first, one JSON object a line
// The file is --file, else RIPOSTE_AUDIT_FILE, else audit.db in RIPOSTE_DATA_DIR (default data); with
// RIPOSTE_DATABASE_URL (and no --file), the audit table in that PostgreSQL database.
// It is opened read-only and never created. Exit 2 for anything but a verdict (usage, no such
// file, not an audit log), so that a script can tell "tampered" (1) from "could not look" (2).
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { auditFile, SqliteAuditLog } from '../store/audit.ts';
import { storesFromEnv } from '../store/open.ts';

const USAGE = `usage:
  node --import tsx scripts/audit.ts verify [--file <path>]
  node --import tsx scripts/audit.ts list [--actor <name>] [--case <id>] [--action <action>] [--since <iso>] [--until <iso>] [--before <seq>] [--limit <n>] [--file <path>]`;

class UsageError extends Error {}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        file: { type: 'string' },
        actor: { type: 'string' },
        case: { type: 'string' },
        action: { type: 'string' },
        since: { type: 'string' },
        until: { type: 'string' },
        before: { type: 'string' },
        limit: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const [command, ...extra] = positionals;
  if ((command !== 'verify' && command !== 'list') || extra.length > 0) throw new UsageError(command ? `unknown command: ${[command, ...extra].join(' ')}` : 'no command');

  // On PostgreSQL (RIPOSTE_DATABASE_URL, no --file): the shared database's audit table.
  const stores = process.env.RIPOSTE_DATABASE_URL && !values.file ? storesFromEnv(process.env, 'riposte-audit-cli') : undefined;
  const file = stores ? 'in PostgreSQL' : path.resolve(values.file || process.env.RIPOSTE_AUDIT_FILE || auditFile(process.env.RIPOSTE_DATA_DIR || 'data'));
  if (!stores && !fs.existsSync(file)) {
    console.error(`audit log ${file}: no such file`);
    return 2;
  }
  const log = stores ? await stores.audit() : new SqliteAuditLog(file, { readonly: true });
  try {
    if (command === 'verify') {
      const v = await log.verify();
      if (v.ok) {
        console.log(`audit log ${file}: ${v.entries} entries, chain intact`);
        return 0;
      }
      console.error(`audit log ${file}: entry ${v.firstBad} does not match: ${v.reason}`);
      return 1;
    }
    const entries = await log.list({
      actor: values.actor,
      caseId: values.case,
      action: values.action,
      since: values.since,
      until: values.until,
      before: values.before === undefined ? undefined : whole(values.before, '--before'),
      limit: values.limit === undefined ? undefined : whole(values.limit, '--limit'),
    });
    for (const e of entries) console.log(JSON.stringify(e));
    return 0;
  } finally {
    await log.close();
    await stores?.close();
  }
}

function whole(text: string, name: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < 1) throw new UsageError(`${name} is a whole number from 1: ${text}`);
  return n;
}

try {
  process.exitCode = await main();
} catch (err) {
  const message = err instanceof Error ? err.message : String(err);
  console.error(err instanceof UsageError ? `${message}\n${USAGE}` : `riposte: ${message}`);
  process.exitCode = 2;
}
