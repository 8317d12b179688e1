// The user store on PostgreSQL (RIPOSTE_DATABASE_URL): SqliteUserStore's behaviour (../users.ts),
// shared by the CLI and every API replica. Names are unique whatever their case, as SQLite's
// COLLATE NOCASE makes them: the columns hold text in byte order (COLLATE "C") and a unique index
// on lower(name) decides — lower() under "C" folds ASCII letters only, exactly as NOCASE does, so
// no other alphabet's letter (the Kelvin sign, say) ever matches a name. Tokens, session tokens
// and CSRF values are hashed here before any query: the server never sees a plaintext secret.
import { randomBytes } from 'node:crypto';
import { Secret } from '../../config/secret.ts';
import type { Role } from '../../core/roles.ts';
import {
  checkName,
  checkRole,
  digest,
  fromRow,
  LAST_USED_EVERY_MS,
  newToken,
  USER_COLUMNS,
  UserError,
  type IssuedSession,
  type IssuedToken,
  type PendingSignIn,
  type Session,
  type SessionRow,
  type User,
  type UserRow,
  type UserStore,
} from '../users.ts';
import type { PgDatabase } from './db.ts';

export const USER_MIGRATIONS: string[] = [
  `
  CREATE TABLE users (
    name TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    role TEXT NOT NULL,
    status TEXT NOT NULL,
    token_hash TEXT COLLATE "C" NOT NULL UNIQUE,
    token_created_at TEXT COLLATE "C" NOT NULL,
    created_at TEXT COLLATE "C" NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TEXT COLLATE "C" NOT NULL,
    updated_by TEXT NOT NULL,
    last_used_at TEXT COLLATE "C"
  );
  CREATE UNIQUE INDEX users_name_nocase ON users (lower(name));
  CREATE TABLE sessions (
    token_hash TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    csrf_hash TEXT COLLATE "C" NOT NULL,
    name TEXT COLLATE "C" NOT NULL,
    role TEXT NOT NULL,
    subject TEXT NOT NULL,
    created_at TEXT COLLATE "C" NOT NULL,
    expires_at TEXT COLLATE "C" NOT NULL
  );
  CREATE INDEX sessions_expiry ON sessions (expires_at);
  CREATE INDEX sessions_name ON sessions (lower(name));
  CREATE TABLE sign_ins (
    state TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    verifier TEXT NOT NULL,
    nonce TEXT NOT NULL,
    return_to TEXT,
    expires_at TEXT COLLATE "C" NOT NULL
  );
  CREATE INDEX sign_ins_expiry ON sign_ins (expires_at);
  `,
];

/** A name, matched as the unique index matches: ASCII letters folded, nothing else. */
const BY_NAME = 'lower(name) = lower($1::text COLLATE "C")';

/**
 * PostgreSQL text cannot hold U+0000, and no stored name, state or hash contains one: a value
 * that does cannot match anything, so it is answered as a miss rather than sent to fail.
 */
const unmatchable = (value: unknown) => typeof value !== 'string' || value.includes('\u0000');

export class PgUserStore implements UserStore {
  private constructor(
    private readonly db: PgDatabase,
    private readonly now: () => Date
  ) {}

  /** Migrates the tables (once across replicas) and returns the store; the pool stays the caller's. */
  static async open(db: PgDatabase, options: { now?: () => Date } = {}): Promise<PgUserStore> {
    await db.migrate('users', USER_MIGRATIONS);
    return new PgUserStore(db, options.now ?? (() => new Date()));
  }

  async add(name: string, role: Role, by: string): Promise<IssuedToken> {
    checkName(name);
    checkRole(role);
    const token = newToken();
    const at = this.now().toISOString();
    let row: UserRow | undefined;
    try {
      row = await this.db.row<UserRow>(
        `INSERT INTO users (name, role, status, token_hash, token_created_at, created_at, created_by, updated_at, updated_by)
         VALUES ($1, $2, 'active', $3, $4, $4, $5, $4, $5) RETURNING ${USER_COLUMNS}`,
        [name, role, digest(token), at, by]
      );
    } catch (err) {
      // The unique indexes decide, not a read before the write: the CLI may race another writer.
      const e = err as { code?: string; constraint?: string };
      if (e.code === '23505' && (e.constraint === 'users_pkey' || e.constraint === 'users_name_nocase')) {
        throw new UserError('exists', `a user named ${(await this.find(name))?.name ?? name} exists already`);
      }
      throw err;
    }
    if (!row) throw new UserError('not_found', `no user ${name}`);
    return { user: fromRow(row), token: new Secret(token) };
  }

  async list(): Promise<User[]> {
    return (await this.db.rows<UserRow>(`SELECT ${USER_COLUMNS} FROM users ORDER BY lower(name)`)).map(fromRow);
  }

  async get(name: string): Promise<User | undefined> {
    return this.find(name);
  }

  private async find(name: string): Promise<User | undefined> {
    if (unmatchable(name)) return undefined;
    const row = await this.db.row<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE ${BY_NAME}`, [name]);
    return row && fromRow(row);
  }

  async disable(name: string, by: string): Promise<User> {
    return this.change(name, "status = 'disabled'", "status <> 'disabled'", [by]);
  }

  async enable(name: string, by: string): Promise<User> {
    return this.change(name, "status = 'active'", "status <> 'active'", [by]);
  }

  async rotate(name: string, by: string): Promise<IssuedToken> {
    const token = newToken();
    const user = await this.change(name, 'token_hash = $4, token_created_at = $2', 'true', [by, digest(token)]);
    return { user, token: new Secret(token) };
  }

  async setRole(name: string, role: Role, by: string): Promise<User> {
    checkRole(role);
    return this.change(name, 'role = $4', 'role <> $4', [by, role]);
  }

  async authenticate(token: string): Promise<User | undefined> {
    if (typeof token !== 'string' || token.length === 0 || token.length > 512) return undefined;
    const row = await this.db.row<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE token_hash = $1 AND status = 'active'`, [digest(token)]);
    if (!row) return undefined;
    const now = this.now();
    if (row.last_used_at === null || now.getTime() - Date.parse(row.last_used_at) >= LAST_USED_EVERY_MS) {
      try {
        await this.db.query('UPDATE users SET last_used_at = $1 WHERE name = $2', [now.toISOString(), row.name]);
        row.last_used_at = now.toISOString();
      } catch {
        // A hint that could not be written (a read-only standby, say) never turns a valid token away.
      }
    }
    return fromRow(row);
  }

  async startSession(who: { name: string; role: Role; subject: string }, ttlMs: number): Promise<IssuedSession> {
    checkName(who.name);
    checkRole(who.role);
    if ((await this.find(who.name))?.status === 'disabled') throw new UserError('invalid', `${who.name} is disabled in Riposte`);
    const token = newToken();
    const csrf = randomBytes(24).toString('base64url');
    const at = this.now();
    const expires = new Date(at.getTime() + ttlMs).toISOString();
    await this.db.query('DELETE FROM sessions WHERE expires_at <= $1', [at.toISOString()]);
    await this.db.query('INSERT INTO sessions (token_hash, csrf_hash, name, role, subject, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
      digest(token),
      digest(csrf),
      who.name,
      who.role,
      who.subject,
      at.toISOString(),
      expires,
    ]);
    return { session: { name: who.name, role: who.role, subject: who.subject, createdAt: at.toISOString(), expiresAt: expires }, token: new Secret(token), csrf: new Secret(csrf) };
  }

  async session(token: string): Promise<(Session & { csrfDigest: string }) | undefined> {
    if (typeof token !== 'string' || token.length === 0 || token.length > 512) return undefined;
    // The session and its person's status in one read: a user disabled since sign-in is refused at once.
    const row = await this.db.row<SessionRow & { status: string | null }>(
      `SELECT s.*, u.status FROM sessions s LEFT JOIN users u ON lower(u.name) = lower(s.name)
        WHERE s.token_hash = $1 AND s.expires_at > $2`,
      [digest(token), this.now().toISOString()]
    );
    if (!row || row.status === 'disabled') return undefined;
    return { name: row.name, role: row.role as Role, subject: row.subject, createdAt: row.created_at, expiresAt: row.expires_at, csrfDigest: row.csrf_hash };
  }

  csrfMatches(session: { csrfDigest: string }, value: string | undefined): boolean {
    return typeof value === 'string' && value.length > 0 && value.length <= 512 && digest(value) === session.csrfDigest;
  }

  async endSession(token: string): Promise<void> {
    await this.db.query('DELETE FROM sessions WHERE token_hash = $1', [digest(token)]);
  }

  async endSessionsOf(name: string): Promise<number> {
    if (unmatchable(name)) return 0;
    return (await this.db.query(`DELETE FROM sessions WHERE ${BY_NAME}`, [name])).rowCount ?? 0;
  }

  async beginSignIn(state: string, pending: PendingSignIn, ttlMs = 10 * 60_000): Promise<void> {
    const at = this.now();
    await this.db.query('DELETE FROM sign_ins WHERE expires_at <= $1', [at.toISOString()]);
    await this.db.query('INSERT INTO sign_ins (state, verifier, nonce, return_to, expires_at) VALUES ($1, $2, $3, $4, $5)', [
      state,
      pending.verifier,
      pending.nonce,
      pending.returnTo ?? null,
      new Date(at.getTime() + ttlMs).toISOString(),
    ]);
  }

  /** One DELETE … RETURNING: of two replicas racing with the same callback, one gets the row. */
  async takeSignIn(state: string): Promise<PendingSignIn | undefined> {
    if (unmatchable(state)) return undefined;
    const row = await this.db.row<{ verifier: string; nonce: string; return_to: string | null }>(
      'DELETE FROM sign_ins WHERE state = $1 AND expires_at > $2 RETURNING verifier, nonce, return_to',
      [state, this.now().toISOString()]
    );
    return row ? { verifier: row.verifier, nonce: row.nonce, ...(row.return_to ? { returnTo: row.return_to } : {}) } : undefined;
  }

  /** Nothing to release: the pool is the caller's (it may serve other stores). */
  async close(): Promise<void> {}

  /**
   * Updates one user: `set` (with $2 the time, $3 who, $4 the extra value) where `changed` holds;
   * a missing user is not_found, a no-op update is fine and leaves updated_at/by alone.
   */
  private async change(name: string, set: string, changed: string, [by, extra]: [string, string?]): Promise<User> {
    if (unmatchable(name)) throw new UserError('not_found', `no user ${name}`);
    return this.db.transaction(async (tx) => {
      const found = (await tx.query<{ name: string }>(`SELECT name FROM users WHERE ${BY_NAME} FOR UPDATE`, [name])).rows[0];
      if (!found) throw new UserError('not_found', `no user ${name}`);
      const params: unknown[] = [found.name, this.now().toISOString(), by];
      if (extra !== undefined) params.push(extra);
      const updated = await tx.query<UserRow>(`UPDATE users SET ${set}, updated_at = $2, updated_by = $3 WHERE name = $1 AND ${changed} RETURNING ${USER_COLUMNS}`, params);
      const row = updated.rows[0] ?? (await tx.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE name = $1`, [found.name])).rows[0];
      if (!row) throw new UserError('not_found', `no user ${name}`);
      return fromRow(row);
    });
  }
}
