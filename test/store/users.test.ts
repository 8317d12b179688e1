import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { PERSON_ROLES, Role, roleAllows } from '../../core/roles.ts';
import { UserError, UserStore, usersFile, type User } from '../../store/users.ts';

const isUserError = (code: UserError['code']) => (err: unknown) => err instanceof UserError && err.code === code;

/** Every run of 16 characters of the token: none may be found in what is stored. */
function pieces(token: string): string[] {
  return Array.from({ length: token.length - 15 }, (_, i) => token.slice(i, i + 16));
}

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

describe('the user store', () => {
  let dir: string;
  let file: string;
  let clock: number;
  let store: UserStore;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'riposte-users-test-'));
    file = usersFile(dir);
    clock = Date.parse('2026-12-01T10:00:00.000Z');
    store = new UserStore(file, { now: () => new Date(clock) });
  });
  afterEach(() => {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('adds a user whose token authenticates as them, with their role', () => {
    const { user, token } = store.add('alice', 'analyst', 'cli:root');
    assert.match(token.reveal(), /^rip_[A-Za-z0-9_-]{43}$/);
    assert.equal(String(token), '[redacted]', 'the token does not print by accident');
    assert.deepEqual(user, {
      name: 'alice',
      role: 'analyst',
      status: 'active',
      createdAt: '2026-12-01T10:00:00.000Z',
      createdBy: 'cli:root',
      updatedAt: '2026-12-01T10:00:00.000Z',
      updatedBy: 'cli:root',
      tokenCreatedAt: '2026-12-01T10:00:00.000Z',
    });
    const who = store.authenticate(token.reveal());
    assert.equal(who?.name, 'alice');
    assert.equal(who?.role, 'analyst');
    assert.equal(store.authenticate(''), undefined);
    assert.equal(store.authenticate('rip_nope'), undefined);
    assert.equal(store.authenticate(token.reveal().slice(0, -1)), undefined);
    assert.equal(store.authenticate(`${token.reveal()} `), undefined);
  });

  it('keeps no trace of the token but its hash, and never returns the hash', () => {
    const { token } = store.add('alice', 'admin', 'cli:root');
    const plain = token.reveal();
    const raw = new Database(file, { readonly: true });
    const rows = raw.prepare('SELECT * FROM users').all() as Record<string, unknown>[];
    raw.close();
    assert.equal(rows.length, 1);
    const stored = JSON.stringify(rows);
    for (const piece of pieces(plain)) assert.ok(!stored.includes(piece), `the row holds ${piece} of the token`);
    const hash = (rows[0] as { token_hash: string }).token_hash;
    assert.match(hash, /^[0-9a-f]{64}$/);
    // Nor is it in any page of the file, the write-ahead log included.
    const bytes = [file, `${file}-wal`].filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f).toString('latin1')).join('');
    for (const piece of pieces(plain)) assert.ok(!bytes.includes(piece), `the file holds ${piece} of the token`);

    const seen = JSON.stringify([store.list(), store.get('alice'), store.authenticate(plain)]);
    assert.ok(!seen.includes(hash), 'list, get and authenticate never carry the hash');
    assert.ok(Object.keys(store.get('alice') as User).every((k) => !/hash/i.test(k) && k !== 'token'));
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  });

  it('refuses a duplicate name, whatever its case, and a bad name or role', () => {
    store.add('alice', 'viewer', 'cli:root');
    assert.throws(() => store.add('alice', 'admin', 'cli:root'), isUserError('exists'));
    assert.throws(() => store.add('Alice', 'admin', 'cli:root'), (err: unknown) => isUserError('exists')(err) && /alice exists/.test((err as Error).message));
    for (const name of ['', '-alice', '.alice', 'al ice', 'al/ice', "al'ice", 'a'.repeat(65), 'ålice', 'alice\n']) {
      assert.throws(() => store.add(name, 'viewer', 'cli:root'), isUserError('invalid'), JSON.stringify(name));
    }
    assert.ok(store.add('a'.repeat(64), 'viewer', 'cli:root'));
    assert.ok(store.add('bot.guardduty@prod-1_x', 'source', 'cli:root'));
    assert.throws(() => store.add('bob', 'root' as Role, 'cli:root'), isUserError('invalid'));
    assert.throws(() => store.add('bob', 'toString' as Role, 'cli:root'), isUserError('invalid'));
    assert.throws(() => store.setRole('alice', 'superuser' as Role, 'cli:root'), isUserError('invalid'));
    assert.deepEqual(store.list().map((u) => u.name), ['a'.repeat(64), 'alice', 'bot.guardduty@prod-1_x']);
  });

  it('says not_found for a user who is not there', () => {
    assert.equal(store.get('ghost'), undefined);
    assert.throws(() => store.disable('ghost', 'cli:root'), isUserError('not_found'));
    assert.throws(() => store.enable('ghost', 'cli:root'), isUserError('not_found'));
    assert.throws(() => store.rotate('ghost', 'cli:root'), isUserError('not_found'));
    assert.throws(() => store.setRole('ghost', 'admin', 'cli:root'), isUserError('not_found'));
  });

  it('a disabled user cannot authenticate; enabled, the same token works again', () => {
    const { token } = store.add('alice', 'analyst', 'cli:root');
    clock += 1000;
    const off = store.disable('alice', 'cli:bob');
    assert.equal(off.status, 'disabled');
    assert.equal(off.updatedBy, 'cli:bob');
    assert.equal(off.updatedAt, '2026-12-01T10:00:01.000Z');
    assert.equal(store.authenticate(token.reveal()), undefined);
    assert.equal(store.disable('alice', 'cli:bob').status, 'disabled', 'disabling twice is harmless');
    assert.equal(store.enable('alice', 'cli:bob').status, 'active');
    assert.equal(store.authenticate(token.reveal())?.name, 'alice');
  });

  it('rotate: the old token fails at once — in every process — and the new one works', () => {
    const { token: old } = store.add('alice', 'analyst', 'cli:root');
    const api = new UserStore(file); // the API's own connection
    try {
      assert.equal(api.authenticate(old.reveal())?.name, 'alice');
      clock += 5000;
      const { user, token } = store.rotate('alice', 'cli:root');
      assert.notEqual(token.reveal(), old.reveal());
      assert.equal(user.tokenCreatedAt, '2026-12-01T10:00:05.000Z');
      assert.equal(user.createdAt, '2026-12-01T10:00:00.000Z');
      assert.equal(api.authenticate(old.reveal()), undefined);
      assert.equal(api.authenticate(token.reveal())?.name, 'alice');
      store.disable('alice', 'cli:root');
      assert.equal(api.authenticate(token.reveal()), undefined);
      assert.equal(store.rotate('alice', 'cli:root').user.status, 'disabled', 'a rotated token does not re-enable anyone');
    } finally {
      api.close();
    }
  });

  it('setRole changes what authenticate returns', () => {
    const { token } = store.add('alice', 'viewer', 'cli:root');
    assert.equal(store.setRole('alice', 'admin', 'cli:root').role, 'admin');
    assert.equal(store.authenticate(token.reveal())?.role, 'admin');
    store.setRole('ALICE', 'source', 'cli:root');
    assert.equal(store.authenticate(token.reveal())?.role, 'source');
  });

  it('records lastUsedAt at most once a minute, not on every request', () => {
    const { token } = store.add('alice', 'analyst', 'cli:root');
    assert.equal(store.get('alice')?.lastUsedAt, undefined);
    // data_version moves when another connection commits: it shows whether a request wrote.
    const watcher = new Database(file, { readonly: true });
    const version = () => watcher.pragma('data_version', { simple: true }) as number;
    try {
      let before = version();
      assert.equal(store.authenticate(token.reveal())?.lastUsedAt, '2026-12-01T10:00:00.000Z');
      assert.notEqual(version(), before, 'the first use is written');
      before = version();
      clock += 59_000;
      for (let i = 0; i < 5; i++) assert.equal(store.authenticate(token.reveal())?.lastUsedAt, '2026-12-01T10:00:00.000Z');
      assert.equal(version(), before, 'uses within the minute write nothing');
      clock += 1_000;
      assert.equal(store.authenticate(token.reveal())?.lastUsedAt, '2026-12-01T10:01:00.000Z');
      assert.equal(store.get('alice')?.lastUsedAt, '2026-12-01T10:01:00.000Z');
      assert.notEqual(version(), before);
    } finally {
      watcher.close();
    }
  });
});
