// The user store's promises, the same on SQLite (users.db, the embedded default) and PostgreSQL
// (RIPOSTE_DATABASE_URL): tokens kept only as their hash, names unique whatever their case,
// disabled users and rotated tokens refused at the next request in every process, sessions and
// one-use sign-ins. Then what only one backend has: the SQLite file's mode and bytes.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { PERSON_ROLES, Role, roleAllows } from '../../core/roles.ts';
import { PgUserStore } from '../../store/postgres/users.ts';
import { SqliteUserStore, UserError, usersFile, type User, type UserStore } from '../../store/users.ts';
import { freshPg } from '../helpers/postgres.ts';

const isUserError = (code: UserError['code']) => (err: unknown) => err instanceof UserError && err.code === code;

/** Every run of 16 characters of the secret: none may be found in what is stored. */
function pieces(secret: string): string[] {
  return Array.from({ length: secret.length - 15 }, (_, i) => secret.slice(i, i + 16));
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe('roles', () => {
  it('people form a ladder; source stands apart, even from admin', () => {
    assert.deepEqual(PERSON_ROLES, ['viewer', 'analyst', 'admin']);
    assert.ok(roleAllows('admin', 'analyst') && roleAllows('admin', 'viewer') && roleAllows('analyst', 'viewer'));
    assert.ok(!roleAllows('viewer', 'analyst') && !roleAllows('analyst', 'admin'));
    assert.ok(roleAllows('source', 'source'));
    assert.ok(!roleAllows('admin', 'source'), 'an admin token cannot post alerts');
    for (const r of PERSON_ROLES) assert.ok(!roleAllows('source', r), `source does not satisfy ${r}`);
    assert.deepEqual(Object.values(Role), ['viewer', 'analyst', 'admin', 'source']);
  });
});

/** A user store under test, and ways around it to see what it stored. */
interface Opened {
  store: UserStore;
  /** The same users as another process sees them: its own connection (pool), the same clock. */
  another(): Promise<UserStore>;
  /** Every row of a table, read without the store. */
  rows(table: 'users' | 'sessions' | 'sign_ins'): Promise<Record<string, unknown>[]>;
  /** A value that changes whenever a write to the users table commits. */
  writes(): Promise<unknown>;
  close(): Promise<void>;
}

const backends: Array<{ name: string; open(now: () => Date): Promise<Opened> }> = [
  {
    name: 'SQLite',
    async open(now) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'riposte-users-test-'));
      const file = usersFile(dir);
      const stores: UserStore[] = [new SqliteUserStore(file, { now })];
      // data_version moves when another connection commits: it shows whether a request wrote.
      const watcher = new Database(file, { readonly: true });
      return {
        store: stores[0] as UserStore,
        async another() {
          const s = new SqliteUserStore(file, { now });
          stores.push(s);
          return s;
        },
        async rows(table) {
          return watcher.prepare(`SELECT * FROM ${table}`).all() as Record<string, unknown>[];
        },
        async writes() {
          return watcher.pragma('data_version', { simple: true });
        },
        async close() {
          watcher.close();
          for (const s of stores) await s.close();
          fs.rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'PostgreSQL',
    async open(now) {
      const db = await freshPg();
      const dbs = [db];
      const stores: UserStore[] = [await PgUserStore.open(db, { now })];
      return {
        store: stores[0] as UserStore,
        async another() {
          const other = await freshPg(db.schema);
          dbs.push(other);
          const s = await PgUserStore.open(other, { now });
          stores.push(s);
          return s;
        },
        async rows(table) {
          return db.rows(`SELECT * FROM ${table}`);
        },
        async writes() {
          // Every UPDATE writes a new row version, stamped with the writing transaction.
          return (await db.row<{ v: string | null }>('SELECT string_agg(xmin::text, \',\' ORDER BY name) AS v FROM users'))?.v;
        },
        async close() {
          for (const s of stores) await s.close();
          for (const d of dbs) await d.close();
        },
      };
    },
  },
];

for (const backend of backends) {
  describe(`the user store on ${backend.name}`, () => {
    let clock: number;
    let opened: Opened;
    let store: UserStore;
    beforeEach(async () => {
      clock = Date.parse('2026-12-01T10:00:00.000Z');
      opened = await backend.open(() => new Date(clock));
      store = opened.store;
    });
    afterEach(async () => {
      await opened.close();
    });

    it('adds a user whose token authenticates as them, with their role', async () => {
      const { user, token } = await store.add('alice', 'analyst', 'cli:root');
      assert.match(token.reveal(), /^rip_[A-Za-z0-9_-]{43}$/);
      assert.equal(String(token), '[redacted]', 'the token does not print by accident');
      const expected: User = {
        name: 'alice',
        role: 'analyst',
        status: 'active',
        createdAt: '2026-12-01T10:00:00.000Z',
        createdBy: 'cli:root',
        updatedAt: '2026-12-01T10:00:00.000Z',
        updatedBy: 'cli:root',
        tokenCreatedAt: '2026-12-01T10:00:00.000Z',
      };
      assert.deepEqual(user, expected);
      assert.deepEqual(await store.get('alice'), expected, 'get returns what add did');
      const who = await store.authenticate(token.reveal());
      assert.equal(who?.name, 'alice');
      assert.equal(who?.role, 'analyst');
      assert.equal(await store.authenticate(''), undefined);
      assert.equal(await store.authenticate('rip_nope'), undefined);
      assert.equal(await store.authenticate(token.reveal().slice(0, -1)), undefined);
      assert.equal(await store.authenticate(`${token.reveal()} `), undefined);
      assert.equal(await store.authenticate('x'.repeat(513)), undefined);
      assert.notEqual((await store.add('bob', 'analyst', 'cli:root')).token.reveal(), token.reveal(), 'every user gets a token of their own');
    });

    it('keeps no trace of the token but its hash, and never returns the hash', async () => {
      const { token } = await store.add('alice', 'admin', 'cli:root');
      const plain = token.reveal();
      const rows = await opened.rows('users');
      assert.equal(rows.length, 1);
      const stored = JSON.stringify(rows);
      for (const piece of pieces(plain)) assert.ok(!stored.includes(piece), `the row holds ${piece} of the token`);
      const hash = (rows[0] as { token_hash: string }).token_hash;
      assert.equal(hash, sha256(plain), 'the SHA-256 of the token, in hex');

      const seen = JSON.stringify([await store.list(), await store.get('alice'), await store.authenticate(plain)]);
      assert.ok(!seen.includes(hash), 'list, get and authenticate never carry the hash');
      assert.ok(Object.keys((await store.get('alice')) as User).every((k) => !/hash/i.test(k) && k !== 'token'));
    });

    it('refuses a duplicate name, whatever its case, and a bad name or role', async () => {
      await store.add('alice', 'viewer', 'cli:root');
      await assert.rejects(store.add('alice', 'admin', 'cli:root'), isUserError('exists'));
      await assert.rejects(store.add('Alice', 'admin', 'cli:root'), (err: unknown) => isUserError('exists')(err) && /alice exists/.test((err as Error).message));
      for (const name of ['', '-alice', '.alice', 'al ice', 'al/ice', "al'ice", 'a'.repeat(65), 'ålice', 'alice\n', 'al\u0000ice']) {
        await assert.rejects(store.add(name, 'viewer', 'cli:root'), isUserError('invalid'), JSON.stringify(name));
      }
      assert.ok(await store.add('a'.repeat(64), 'viewer', 'cli:root'));
      assert.ok(await store.add('bot.guardduty@prod-1_x', 'source', 'cli:root'));
      assert.ok(await store.add('Carol', 'viewer', 'cli:root'));
      await assert.rejects(store.add('bob', 'root' as Role, 'cli:root'), isUserError('invalid'));
      await assert.rejects(store.add('bob', 'toString' as Role, 'cli:root'), isUserError('invalid'));
      await assert.rejects(store.setRole('alice', 'superuser' as Role, 'cli:root'), isUserError('invalid'));
      assert.equal((await store.get('alice'))?.role, 'viewer', 'a refused change changes nothing');
      assert.deepEqual(
        (await store.list()).map((u) => u.name),
        ['a'.repeat(64), 'alice', 'bot.guardduty@prod-1_x', 'Carol'],
        'listed by name regardless of case, each as it was spelled'
      );
    });

    it('of two processes adding one name in different cases at once, exactly one succeeds', async () => {
      const other = await opened.another();
      const results = await Promise.allSettled([store.add('dave', 'viewer', 'cli:one'), other.add('DAVE', 'admin', 'cli:two')]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected');
      assert.equal(won.length, 1, 'one of them added the user');
      assert.equal(lost.length, 1);
      assert.ok(isUserError('exists')((lost[0] as PromiseRejectedResult).reason), String((lost[0] as PromiseRejectedResult).reason));
      assert.equal((await store.list()).length, 1);
    });

    it('matches names regardless of ASCII case only', async () => {
      await store.add('kate', 'viewer', 'cli:root');
      assert.equal((await store.get('KATE'))?.name, 'kate');
      assert.equal((await store.get('Kate'))?.name, 'kate');
      // U+212A KELVIN SIGN lowercases to k in Unicode: it must not reach kate's account.
      assert.equal(await store.get('\u212Aate'), undefined);
      assert.equal(await store.get('kat'), undefined);
      assert.equal(await store.get('kate\u0000'), undefined, 'an unstorable character finds nobody, and is no error');
      await assert.rejects(store.disable('\u212Aate', 'cli:root'), isUserError('not_found'));
      assert.equal((await store.get('kate'))?.status, 'active');
    });

    it('says not_found for a user who is not there', async () => {
      assert.equal(await store.get('ghost'), undefined);
      await assert.rejects(store.disable('ghost', 'cli:root'), isUserError('not_found'));
      await assert.rejects(store.enable('ghost', 'cli:root'), isUserError('not_found'));
      await assert.rejects(store.rotate('ghost', 'cli:root'), isUserError('not_found'));
      await assert.rejects(store.setRole('ghost', 'admin', 'cli:root'), isUserError('not_found'));
      assert.deepEqual(await store.list(), [], 'and creates nobody');
    });

    it('a disabled user cannot authenticate; enabled, the same token works again', async () => {
      const { token } = await store.add('alice', 'analyst', 'cli:root');
      clock += 1000;
      const off = await store.disable('alice', 'cli:bob');
      assert.equal(off.status, 'disabled');
      assert.equal(off.updatedBy, 'cli:bob');
      assert.equal(off.updatedAt, '2026-12-01T10:00:01.000Z');
      assert.equal(await store.authenticate(token.reveal()), undefined);
      clock += 1000;
      const again = await store.disable('ALICE', 'cli:carol');
      assert.equal(again.status, 'disabled', 'disabling twice is harmless');
      assert.equal(again.updatedBy, 'cli:bob', 'and a change that changes nothing is not recorded as one');
      assert.equal(again.updatedAt, '2026-12-01T10:00:01.000Z');
      const on = await store.enable('alice', 'cli:carol');
      assert.equal(on.status, 'active');
      assert.equal(on.updatedAt, '2026-12-01T10:00:02.000Z');
      assert.equal((await store.authenticate(token.reveal()))?.name, 'alice');
    });

    it('rotate: the old token fails at once — in every process — and the new one works', async () => {
      const { token: old } = await store.add('alice', 'analyst', 'cli:root');
      const api = await opened.another(); // the API's own connection
      assert.equal((await api.authenticate(old.reveal()))?.name, 'alice');
      clock += 5000;
      const { user, token } = await store.rotate('alice', 'cli:root');
      assert.notEqual(token.reveal(), old.reveal());
      assert.equal(user.tokenCreatedAt, '2026-12-01T10:00:05.000Z');
      assert.equal(user.createdAt, '2026-12-01T10:00:00.000Z');
      assert.equal(await api.authenticate(old.reveal()), undefined);
      assert.equal((await api.authenticate(token.reveal()))?.name, 'alice');
      await store.disable('alice', 'cli:root');
      assert.equal(await api.authenticate(token.reveal()), undefined);
      const rotated = await store.rotate('alice', 'cli:root');
      assert.equal(rotated.user.status, 'disabled', 'a rotated token does not re-enable anyone');
      assert.equal(await api.authenticate(rotated.token.reveal()), undefined);
    });

    it('setRole changes what authenticate returns', async () => {
      const { token } = await store.add('alice', 'viewer', 'cli:root');
      assert.equal((await store.setRole('alice', 'admin', 'cli:root')).role, 'admin');
      assert.equal((await store.authenticate(token.reveal()))?.role, 'admin');
      await store.setRole('ALICE', 'source', 'cli:root');
      assert.equal((await store.authenticate(token.reveal()))?.role, 'source');
      assert.equal((await store.get('alice'))?.name, 'alice', 'the name keeps its spelling');
    });

    it('records lastUsedAt at most once a minute, not on every request', async () => {
      const { token } = await store.add('alice', 'analyst', 'cli:root');
      assert.equal((await store.get('alice'))?.lastUsedAt, undefined);
      let before = await opened.writes();
      assert.equal((await store.authenticate(token.reveal()))?.lastUsedAt, '2026-12-01T10:00:00.000Z');
      assert.notEqual(await opened.writes(), before, 'the first use is written');
      assert.equal((await store.get('alice'))?.lastUsedAt, '2026-12-01T10:00:00.000Z');
      before = await opened.writes();
      clock += 59_000;
      for (let i = 0; i < 5; i++) assert.equal((await store.authenticate(token.reveal()))?.lastUsedAt, '2026-12-01T10:00:00.000Z');
      assert.equal(await opened.writes(), before, 'uses within the minute write nothing');
      clock += 1_000;
      assert.equal((await store.authenticate(token.reveal()))?.lastUsedAt, '2026-12-01T10:01:00.000Z');
      assert.equal((await store.get('alice'))?.lastUsedAt, '2026-12-01T10:01:00.000Z');
      assert.notEqual(await opened.writes(), before);
    });

    it('a session holds its person and role until it expires or ends, and checks its CSRF token', async () => {
      const issued = await store.startSession({ name: 'Erin', role: 'analyst', subject: 'https://idp.test|u-1' }, 3_600_000);
      assert.deepEqual(issued.session, { name: 'Erin', role: 'analyst', subject: 'https://idp.test|u-1', createdAt: '2026-12-01T10:00:00.000Z', expiresAt: '2026-12-01T11:00:00.000Z' });
      assert.equal(String(issued.token), '[redacted]');
      assert.equal(String(issued.csrf), '[redacted]');
      const s = await (await opened.another()).session(issued.token.reveal());
      assert.ok(s, 'another process finds the session');
      assert.deepEqual({ ...s, csrfDigest: undefined }, { ...issued.session, csrfDigest: undefined });
      assert.equal(store.csrfMatches(s, issued.csrf.reveal()), true);
      assert.equal(store.csrfMatches(s, issued.token.reveal()), false, 'the session token is not the CSRF token');
      assert.equal(store.csrfMatches(s, undefined), false);
      assert.equal(store.csrfMatches(s, ''), false);
      assert.equal(await store.session(''), undefined);
      assert.equal(await store.session(issued.token.reveal().slice(0, -1)), undefined);
      assert.equal(await store.session(issued.csrf.reveal()), undefined);

      // Neither secret is stored, only their hashes.
      const stored = JSON.stringify(await opened.rows('sessions'));
      for (const piece of [...pieces(issued.token.reveal()), ...pieces(issued.csrf.reveal())]) assert.ok(!stored.includes(piece), `the sessions table holds ${piece}`);

      clock += 3_599_999;
      assert.equal((await store.session(issued.token.reveal()))?.name, 'Erin');
      clock += 1;
      assert.equal(await store.session(issued.token.reveal()), undefined, 'expired at expiresAt');

      clock = Date.parse('2026-12-01T12:00:00.000Z');
      const next = await store.startSession({ name: 'Erin', role: 'analyst', subject: 'https://idp.test|u-1' }, 3_600_000);
      assert.equal(JSON.stringify(await opened.rows('sessions')).includes('2026-12-01T11:00:00.000Z'), false, 'an expired session is swept when the next starts');
      await store.endSession(next.token.reveal());
      assert.equal(await store.session(next.token.reveal()), undefined, 'signed out');
      await store.endSession('never-issued'); // harmless
    });

    it('ends every session of a person, whatever the case of the name, and nobody else’s', async () => {
      const who = (name: string) => ({ name, role: 'viewer' as const, subject: `idp|${name}` });
      const a1 = await store.startSession(who('frank'), 60_000);
      const a2 = await store.startSession(who('Frank'), 60_000);
      const b = await store.startSession(who('grace'), 60_000);
      assert.equal(await store.endSessionsOf('FRANK'), 2);
      assert.equal(await store.session(a1.token.reveal()), undefined);
      assert.equal(await store.session(a2.token.reveal()), undefined);
      assert.equal((await store.session(b.token.reveal()))?.name, 'grace');
      assert.equal(await store.endSessionsOf('frank'), 0);
    });

    it('a disabled user cannot start a session, and their sessions stop at once', async () => {
      await store.add('heidi', 'analyst', 'cli:root');
      const s = await store.startSession({ name: 'Heidi', role: 'admin', subject: 'idp|heidi' }, 60_000);
      assert.equal((await store.session(s.token.reveal()))?.role, 'admin', 'the provider’s claim decides the role');
      await store.disable('heidi', 'cli:root');
      assert.equal(await store.session(s.token.reveal()), undefined, 'disabled since sign-in');
      await assert.rejects(store.startSession({ name: 'HEIDI', role: 'viewer', subject: 'idp|heidi' }, 60_000), isUserError('invalid'));
      await store.enable('heidi', 'cli:root');
      assert.equal((await store.session(s.token.reveal()))?.name, 'Heidi', 'enabled again, the session works again');
      await assert.rejects(store.startSession({ name: 'bad name', role: 'viewer', subject: 'x' }, 60_000), isUserError('invalid'));
      await assert.rejects(store.startSession({ name: 'ivan', role: 'root' as Role, subject: 'x' }, 60_000), isUserError('invalid'));
    });

    it('a sign-in is taken once, and not after it expires', async () => {
      await store.beginSignIn('state-1', { verifier: 'v1', nonce: 'n1', returnTo: '/cases/cs_1' });
      await store.beginSignIn('state-2', { verifier: 'v2', nonce: 'n2' });
      await store.beginSignIn('state-3', { verifier: 'v3', nonce: 'n3' }, 1000);
      assert.deepEqual(await store.takeSignIn('state-1'), { verifier: 'v1', nonce: 'n1', returnTo: '/cases/cs_1' });
      assert.equal(await store.takeSignIn('state-1'), undefined, 'a replayed callback finds nothing');
      assert.deepEqual(await store.takeSignIn('state-2'), { verifier: 'v2', nonce: 'n2' });
      assert.equal(await store.takeSignIn('nope'), undefined);
      assert.equal(await store.takeSignIn('state\u0000'), undefined);
      clock += 1000;
      assert.equal(await store.takeSignIn('state-3'), undefined, 'a late callback finds nothing');

      await store.beginSignIn('state-4', { verifier: 'v4', nonce: 'n4' });
      clock += 10 * 60_000 - 1;
      assert.equal((await store.takeSignIn('state-4'))?.verifier, 'v4', 'ten minutes by default');
      await store.beginSignIn('state-5', { verifier: 'v5', nonce: 'n5' });
      assert.deepEqual((await opened.rows('sign_ins')).map((r) => r.state), ['state-5'], 'expired sign-ins are swept when the next begins');
    });

    it('of two processes taking one sign-in at once, exactly one gets it', async () => {
      const others = await Promise.all([opened.another(), opened.another(), opened.another()]);
      for (let round = 0; round < 5; round++) {
        await store.beginSignIn(`race-${round}`, { verifier: `v${round}`, nonce: 'n' });
        const taken = await Promise.all([store, ...others].map((s) => s.takeSignIn(`race-${round}`)));
        assert.deepEqual(taken.filter((t) => t !== undefined), [{ verifier: `v${round}`, nonce: 'n' }], `round ${round}: ${JSON.stringify(taken)}`);
      }
    });
  });
}

describe('the user store on SQLite: the file', () => {
  let dir: string;
  let file: string;
  let store: SqliteUserStore;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'riposte-users-test-'));
    file = usersFile(dir);
    store = new SqliteUserStore(file);
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is readable by its owner only, and holds the token in no page, the write-ahead log included', async () => {
    const { token } = await store.add('alice', 'admin', 'cli:root');
    const { token: rotated } = await store.rotate('alice', 'cli:root');
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    for (const f of [`${file}-wal`, `${file}-shm`].filter((f) => fs.existsSync(f))) assert.equal(fs.statSync(f).mode & 0o777, 0o600, f);
    const bytes = [file, `${file}-wal`].filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f).toString('latin1')).join('');
    assert.ok(bytes.includes(sha256(rotated.reveal())), 'the hash is there: the search would find the token if it were');
    for (const plain of [token.reveal(), rotated.reveal()]) {
      for (const piece of pieces(plain)) assert.ok(!bytes.includes(piece), `the file holds ${piece} of a token`);
    }
  });
});
