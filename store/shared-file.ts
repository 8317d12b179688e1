// A SQLite file that several Riposte processes open at once (the API, the worker, the CLIs):
// WAL so readers never wait, a busy timeout so writers wait for each other's commits, full sync
// so a committed fact survives power loss, and migrations that two processes starting together
// cannot both apply.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

/** Opens (creating it and its directory if need be) and migrates to the last of `migrations`. */
export function openSharedFile(file: string, migrations: readonly string[], opts: { mode?: number } = {}): Database.Database {
  if (file !== ':memory:') {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    // SQLite gives the -wal and -shm files the database file's mode.
    if (opts.mode !== undefined) fs.closeSync(fs.openSync(file, 'a', opts.mode));
  }
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('synchronous = FULL');
  db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    for (let v = version; v < migrations.length; v++) db.exec(migrations[v] as string);
    if (version < migrations.length) db.pragma(`user_version = ${migrations.length}`);
  }).immediate();
  return db;
}
