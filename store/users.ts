// People and alert sources, each with a role and one API token, in a SQLite file of its own
// (users.db in the data directory). The CLI writes it, the API reads it on every request, so a
// disabled user or a rotated token stops working at the next request without a restart.
// Tokens are kept only as their SHA-256: the plaintext is handed out once, by add and rotate.
import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { openSharedFile } from './shared-file.ts';
import { Secret } from '../config/secret.ts';
import { isRole, type Role } from '../core/roles.ts';

const MIGRATIONS = [
  `
  CREATE TABLE users (
    name TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,
    role TEXT NOT NULL,
    status TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    token_created_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    last_used_at TEXT
  );
  `,
  // Single sign-on: people signed in through the OpenID Connect provider, and sign-ins under way.
  `
  CREATE TABLE sessions (
    token_hash TEXT NOT NULL PRIMARY KEY,
    csrf_hash TEXT NOT NULL,
    name TEXT NOT NULL COLLATE NOCASE,
    role TEXT NOT NULL,
    subject TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
  );
  CREATE INDEX sessions_expiry ON sessions (expires_at);
  CREATE TABLE sign_ins (
    state TEXT NOT NULL PRIMARY KEY,
    verifier TEXT NOT NULL,
    nonce TEXT NOT NULL,
    return_to TEXT,
    expires_at TEXT NOT NULL
  );
  `,
];

/** A person signed in through single sign-on: their role as the provider's claim gave it at sign-in. */
export interface Session {
  name: string;
  role: Role;
  /** The provider's subject (issuer and sub). */
  subject: string;
  createdAt: string;
  expiresAt: string;
}

/** A session and its secrets, handed out once: to the browser's cookies (or the caller). */
export interface IssuedSession {
  session: Session;
  token: Secret;
  /** The value every write made with the session cookie must repeat in X-CSRF-Token. */
  csrf: Secret;
}

/** A sign-in under way: what the callback checks the provider's answer against. */
export interface PendingSignIn {
  verifier: string;
  nonce: string;
  returnTo?: string;
}

/** Every column but token_hash: no read that returns a user ever carries the hash. */
export const USER_COLUMNS = 'name, role, status, token_created_at, created_at, created_by, updated_at, updated_by, last_used_at';

/** Names go into logs, case records and a shell: a short, quote-free alphabet. */
const NAME = /^[a-z0-9][a-z0-9._@-]{0,63}$/i;

/** lastUsedAt is a hint for spotting stale tokens, not an audit: one write a minute per user is plenty. */
export const LAST_USED_EVERY_MS = 60_000;

export type UserStatus = 'active' | 'disabled';

export interface User {
  name: string;
  role: Role;
  status: UserStatus;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  /** Who made the latest change (role, status, token); the creator until then. */
  updatedBy: string;
  tokenCreatedAt: string;
  lastUsedAt?: string;
}

export type UserErrorCode = 'exists' | 'invalid' | 'not_found';

export class UserError extends Error {
  constructor(
    readonly code: UserErrorCode,
    message: string
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** A user and their new token: the only time the token exists outside its holder's hands. */
export interface IssuedToken {
  user: User;
  token: Secret;
}

export interface UserRow {
  name: string;
  role: string;
  status: string;
  token_created_at: string;
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string;
  last_used_at: string | null;
}

export interface SessionRow {
  token_hash: string;
  csrf_hash: string;
  name: string;
  role: string;
  subject: string;
  created_at: string;
  expires_at: string;
}

export function usersFile(dataDir: string): string {
  return path.join(dataDir, 'users.db');
}

/**
 * 32 random bytes: far beyond guessing, so a plain SHA-256 is the right way to keep it — a slow
 * password hash guards low-entropy secrets and would only cost a key derivation per request.
 * The prefix lets secret scanners and people recognise a leaked Riposte token.
 */
export function newToken(): string {
  return `rip_${randomBytes(32).toString('base64url')}`;
}

export const digest = (token: string) => createHash('sha256').update(token).digest('hex');

export interface UserStore {
  /** Adds an active user and returns their token — the only time it is ever returned. */
  add(name: string, role: Role, by: string): Promise<IssuedToken>;
  list(): Promise<User[]>;
  /** The user by name, matched regardless of case as names are unique that way. */
  get(name: string): Promise<User | undefined>;
  /** Their token stops working at the next request; it stays theirs for `enable`. */
  disable(name: string, by: string): Promise<User>;
  enable(name: string, by: string): Promise<User>;
  /** A new token for the user; the old one stops working with this commit. Status is kept. */
  rotate(name: string, by: string): Promise<IssuedToken>;
  setRole(name: string, role: Role, by: string): Promise<User>;
  /**
   * The active user holding this token, or undefined. Looked up by the token's SHA-256 through
   * the unique index: an equality match on the hash of a high-entropy token leaks nothing a
   * timing attacker could use, and the plaintext is never compared.
   */
  authenticate(token: string): Promise<User | undefined>;
  /**
   * A session for a person the OpenID Connect provider vouched for. A local user of the same
   * name who is disabled cannot sign in; otherwise the provider's claim decides the role.
   */
  startSession(who: { name: string; role: Role; subject: string }, ttlMs: number): Promise<IssuedSession>;
  /** The live session holding this token (not expired, its person not disabled since), and its CSRF digest. */
  session(token: string): Promise<(Session & { csrfDigest: string }) | undefined>;
  /** Whether this value is the session's CSRF token. */
  csrfMatches(session: { csrfDigest: string }, value: string | undefined): boolean;
  endSession(token: string): Promise<void>;
  /** Signs a person out everywhere (a disabled user's sessions also stop at once, without this). */
  endSessionsOf(name: string): Promise<number>;
  /** Remembers a sign-in until its callback (one use, ten minutes at most). */
  beginSignIn(state: string, pending: PendingSignIn, ttlMs?: number): Promise<void>;
  /** The sign-in this state began, once: a replayed or late callback finds nothing. */
  takeSignIn(state: string): Promise<PendingSignIn | undefined>;
  close(): Promise<void>;
}

export class SqliteUserStore implements UserStore {
  private readonly db: Database.Database;
  private readonly now: () => Date;
  private readonly stmt;

  constructor(
    readonly file: string,
    options: { now?: () => Date } = {}
  ) {
    this.now = options.now ?? (() => new Date());
    // Whoever can write this file can mint a token: owner only, like tokens.json. The CLI and the
    // API open it from two processes.
    this.db = openSharedFile(file, MIGRATIONS, { mode: 0o600 });
    this.stmt = {
      insert: this.db.prepare(
        `INSERT INTO users (name, role, status, token_hash, token_created_at, created_at, created_by, updated_at, updated_by)
         VALUES (@name, @role, 'active', @hash, @at, @at, @by, @at, @by)`
      ),
      list: this.db.prepare<[], UserRow>(`SELECT ${USER_COLUMNS} FROM users ORDER BY name`),
      get: this.db.prepare<[string], UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE name = ?`),
      byHash: this.db.prepare<[string], UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE token_hash = ? AND status = 'active'`),
      setStatus: this.db.prepare('UPDATE users SET status = @status, updated_at = @at, updated_by = @by WHERE name = @name AND status <> @status'),
      setRole: this.db.prepare('UPDATE users SET role = @role, updated_at = @at, updated_by = @by WHERE name = @name AND role <> @role'),
      setToken: this.db.prepare('UPDATE users SET token_hash = @hash, token_created_at = @at, updated_at = @at, updated_by = @by WHERE name = @name'),
      touch: this.db.prepare('UPDATE users SET last_used_at = ? WHERE name = ?'),
      insertSession: this.db.prepare('INSERT INTO sessions (token_hash, csrf_hash, name, role, subject, created_at, expires_at) VALUES (@token, @csrf, @name, @role, @subject, @at, @expires)'),
      session: this.db.prepare<[string, string], SessionRow>('SELECT * FROM sessions WHERE token_hash = ? AND expires_at > ?'),
      endSession: this.db.prepare('DELETE FROM sessions WHERE token_hash = ?'),
      endSessionsOf: this.db.prepare('DELETE FROM sessions WHERE name = ?'),
      pruneSessions: this.db.prepare('DELETE FROM sessions WHERE expires_at <= ?'),
      insertSignIn: this.db.prepare('INSERT INTO sign_ins (state, verifier, nonce, return_to, expires_at) VALUES (@state, @verifier, @nonce, @returnTo, @expires)'),
      takeSignIn: this.db.prepare<[string, string], { verifier: string; nonce: string; return_to: string | null }>('DELETE FROM sign_ins WHERE state = ? AND expires_at > ? RETURNING verifier, nonce, return_to'),
      pruneSignIns: this.db.prepare('DELETE FROM sign_ins WHERE expires_at <= ?'),
    };
  }

  /** Adds an active user and returns their token — the only time it is ever returned. */
  async add(name: string, role: Role, by: string): Promise<IssuedToken> {
    checkName(name);
    checkRole(role);
    const token = newToken();
    try {
      this.stmt.insert.run({ name, role, hash: digest(token), at: this.now().toISOString(), by });
    } catch (err) {
      // The primary key decides, not a read before the write: the CLI may race another writer.
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new UserError('exists', `a user named ${this.existing(name)} exists already`);
      throw err;
    }
    return { user: this.mustGet(name), token: new Secret(token) };
  }

  async list(): Promise<User[]> {
    return this.stmt.list.all().map(fromRow);
  }

  /** The user by name, matched regardless of case as names are unique that way. */
  async get(name: string): Promise<User | undefined> {
    return this.find(name);
  }

  private find(name: string): User | undefined {
    const row = this.stmt.get.get(name);
    return row && fromRow(row);
  }

  /** Their token stops working at the next request; it stays theirs for `enable`. */
  async disable(name: string, by: string): Promise<User> {
    return this.change(name, () => this.stmt.setStatus.run({ name, status: 'disabled', at: this.now().toISOString(), by }));
  }

  async enable(name: string, by: string): Promise<User> {
    return this.change(name, () => this.stmt.setStatus.run({ name, status: 'active', at: this.now().toISOString(), by }));
  }

  /** A new token for the user; the old one stops working with this commit. Status is kept. */
  async rotate(name: string, by: string): Promise<IssuedToken> {
    const token = newToken();
    const user = this.change(name, () => this.stmt.setToken.run({ name, hash: digest(token), at: this.now().toISOString(), by }));
    return { user, token: new Secret(token) };
  }

  async setRole(name: string, role: Role, by: string): Promise<User> {
    checkRole(role);
    return this.change(name, () => this.stmt.setRole.run({ name, role, at: this.now().toISOString(), by }));
  }

  /**
   * The active user holding this token, or undefined. Looked up by the token's SHA-256 through
   * the unique index: an equality match on the hash of a high-entropy token leaks nothing a
   * timing attacker could use, and the plaintext is never compared.
   */
  async authenticate(token: string): Promise<User | undefined> {
    if (typeof token !== 'string' || token.length === 0 || token.length > 512) return undefined;
    const row = this.stmt.byHash.get(digest(token));
    if (!row) return undefined;
    const now = this.now();
    if (row.last_used_at === null || now.getTime() - Date.parse(row.last_used_at) >= LAST_USED_EVERY_MS) {
      try {
        this.stmt.touch.run(now.toISOString(), row.name);
        row.last_used_at = now.toISOString();
      } catch {
        // A hint that could not be written (file busy or read-only) never turns a valid token away.
      }
    }
    return fromRow(row);
  }

  /**
   * A session for a person the OpenID Connect provider vouched for. A local user of the same
   * name who is disabled cannot sign in; otherwise the provider's claim decides the role.
   */
  async startSession(who: { name: string; role: Role; subject: string }, ttlMs: number): Promise<IssuedSession> {
    checkName(who.name);
    checkRole(who.role);
    if (this.find(who.name)?.status === 'disabled') throw new UserError('invalid', `${who.name} is disabled in Riposte`);
    const token = newToken();
    const csrf = randomBytes(24).toString('base64url');
    const at = this.now();
    const expires = new Date(at.getTime() + ttlMs).toISOString();
    this.stmt.pruneSessions.run(at.toISOString());
    this.stmt.insertSession.run({ token: digest(token), csrf: digest(csrf), name: who.name, role: who.role, subject: who.subject, at: at.toISOString(), expires });
    return { session: { name: who.name, role: who.role, subject: who.subject, createdAt: at.toISOString(), expiresAt: expires }, token: new Secret(token), csrf: new Secret(csrf) };
  }

  /** The live session holding this token (not expired, its person not disabled since), and its CSRF digest. */
  async session(token: string): Promise<(Session & { csrfDigest: string }) | undefined> {
    if (typeof token !== 'string' || token.length === 0 || token.length > 512) return undefined;
    const row = this.stmt.session.get(digest(token), this.now().toISOString());
    if (!row || this.find(row.name)?.status === 'disabled') return undefined;
    return { name: row.name, role: row.role as Role, subject: row.subject, createdAt: row.created_at, expiresAt: row.expires_at, csrfDigest: row.csrf_hash };
  }

  /** Whether this value is the session's CSRF token. */
  csrfMatches(session: { csrfDigest: string }, value: string | undefined): boolean {
    return typeof value === 'string' && value.length > 0 && value.length <= 512 && digest(value) === session.csrfDigest;
  }

  async endSession(token: string): Promise<void> {
    this.stmt.endSession.run(digest(token));
  }

  /** Signs a person out everywhere (a disabled user's sessions also stop at once, without this). */
  async endSessionsOf(name: string): Promise<number> {
    return this.stmt.endSessionsOf.run(name).changes;
  }

  /** Remembers a sign-in until its callback (one use, ten minutes at most). */
  async beginSignIn(state: string, pending: PendingSignIn, ttlMs = 10 * 60_000): Promise<void> {
    const at = this.now();
    this.stmt.pruneSignIns.run(at.toISOString());
    this.stmt.insertSignIn.run({ state, verifier: pending.verifier, nonce: pending.nonce, returnTo: pending.returnTo ?? null, expires: new Date(at.getTime() + ttlMs).toISOString() });
  }

  /** The sign-in this state began, once: a replayed or late callback finds nothing. */
  async takeSignIn(state: string): Promise<PendingSignIn | undefined> {
    const row = this.stmt.takeSignIn.get(state, this.now().toISOString());
    return row ? { verifier: row.verifier, nonce: row.nonce, ...(row.return_to ? { returnTo: row.return_to } : {}) } : undefined;
  }

  async close(): Promise<void> {
    this.db.close();
  }

  /** Runs an update of one user; a missing user is not_found, a no-op update is fine. */
  private change(name: string, update: () => unknown): User {
    return this.db
      .transaction(() => {
        if (!this.stmt.get.get(name)) throw new UserError('not_found', `no user ${name}`);
        update();
        return this.mustGet(name);
      })
      .immediate();
  }

  private mustGet(name: string): User {
    const user = this.find(name);
    if (!user) throw new UserError('not_found', `no user ${name}`);
    return user;
  }

  /** The stored spelling of a name that collided, so "Alice exists" can say it is "alice". */
  private existing(name: string): string {
    return this.find(name)?.name ?? name;
  }

}

export function checkName(name: string): void {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new UserError('invalid', `invalid user name ${JSON.stringify(name)}: 1–64 letters, digits and . _ @ -, starting with a letter or digit`);
  }
}

export function checkRole(role: string): void {
  if (!isRole(role)) throw new UserError('invalid', `invalid role ${JSON.stringify(role)}: viewer, analyst, admin or source`);
}

export function fromRow(r: UserRow): User {
  return {
    name: r.name,
    role: r.role as Role,
    status: r.status as UserStatus,
    createdAt: r.created_at,
    createdBy: r.created_by,
    updatedAt: r.updated_at,
    updatedBy: r.updated_by,
    tokenCreatedAt: r.token_created_at,
    ...(r.last_used_at !== null ? { lastUsedAt: r.last_used_at } : {}),
  };
}
