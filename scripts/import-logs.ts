// `npm run logs:import -- --kind squid /var/log/squid/access.log [more files]`
// Loads proxy and DNS logs into the local log store (data/logs.db, or RIPOSTE_LOGSTORE_FILE) that
// the `logstoreHunt` activity searches. Re-running imports only what was appended since.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { importFile, LOG_KINDS, type LogKind } from '../activities/logstore/importers.ts';
import { LogStore } from '../activities/logstore/store.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { kind: { type: 'string', short: 'k' }, store: { type: 'string' } },
});
const kind = values.kind as LogKind | undefined;
if (!kind || !LOG_KINDS.includes(kind) || positionals.length === 0) {
  console.error(`usage: npm run logs:import -- --kind <${LOG_KINDS.join('|')}> <file>… [--store data/logs.db]`);
  process.exit(2);
}
const file = values.store ?? process.env.RIPOSTE_LOGSTORE_FILE ?? path.join(process.env.RIPOSTE_DATA_DIR ?? 'data', 'logs.db');
const store = new LogStore(file);
for (const f of positionals) {
  const { imported, skipped } = importFile(store, kind, path.resolve(f));
  console.log(`${f}: ${imported} lines imported${skipped ? `, ${skipped} not ${kind} lines skipped` : ''}`);
}
console.log(`${file}: ${store.count()} lines in all`);
store.close();
