// `npm run users`: the CLI run as the lead's script runs it, against a users file in a temp dir.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { usersFile, SqliteUserStore } from '../../store/users.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const execFileP = promisify(execFile);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI with only the given users settings, so the caller's environment cannot leak in. */
async function users(env: Record<string, string>, ...args: string[]): Promise<Run> {
  const { RIPOSTE_USERS_FILE: _f, RIPOSTE_DATA_DIR: _d, ...rest } = process.env;
  try {
    const { stdout, stderr } = await execFileP(process.execPath, ['--import', 'tsx', 'scripts/users.ts', ...args], { cwd: root, env: { ...rest, ...env }, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    if (typeof e.code !== 'number') throw err;
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const tokenIn = (stdout: string) => /\brip_[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/.exec(stdout)?.[0];

describe('npm run users', () => {
  let dir: string;
  let file: string;
  let env: Record<string, string>;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'riposte-users-cli-'));
    file = path.join(dir, 'users.db');
    env = { RIPOSTE_USERS_FILE: file };
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('add prints a token, once, that authenticates as the user; list shows the user and no token', async () => {
    const add = await users(env, 'add', 'alice', '--role', 'analyst');
    assert.equal(add.code, 0, add.stderr);
    assert.match(add.stdout, /will not be shown again/);
    const token = tokenIn(add.stdout);
    assert.ok(token, add.stdout);

    const store = new SqliteUserStore(file);
    try {
      const who = (await store.authenticate(token));
      assert.equal(who?.name, 'alice');
      assert.equal(who?.role, 'analyst');
      assert.equal(who?.createdBy, `cli:${os.userInfo().username}`);
    } finally {
      await store.close();
    }

    const list = await users(env, 'list');
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^NAME\s+ROLE\s+STATUS\s+CREATED\s+LAST USED$/m);
    assert.match(list.stdout, /^alice\s+analyst\s+active\s+\d{4}-\d\d-\d\d \d\d:\d\dZ\s+\d{4}-\d\d-\d\d \d\d:\d\dZ$/m, 'last used since the store above authenticated');
    assert.ok(!list.stdout.includes('rip_') && !list.stdout.includes(token.slice(4, 20)), 'list never shows a token');
  });

  it('rotate, role, disable and enable change what the token does', async () => {
    const { stdout } = await users(env, 'add', 'bob', '--role', 'viewer');
    const old = tokenIn(stdout) as string;
    const rotated = await users(env, 'rotate', 'bob');
    assert.equal(rotated.code, 0, rotated.stderr);
    assert.match(rotated.stdout, /will not be shown again/);
    const token = tokenIn(rotated.stdout) as string;
    assert.equal((await users(env, 'role', 'bob', 'admin')).code, 0);
    const store = new SqliteUserStore(file);
    try {
      assert.equal((await store.authenticate(old)), undefined, 'the old token stopped working');
      assert.equal((await store.authenticate(token))?.role, 'admin');
      assert.equal((await users(env, 'disable', 'bob')).code, 0);
      assert.equal((await store.authenticate(token)), undefined);
      assert.equal((await users(env, 'enable', 'bob')).code, 0);
      assert.equal((await store.authenticate(token))?.name, 'bob');
    } finally {
      await store.close();
    }
  });

  it('an unknown user, a duplicate, a bad role or name: one clear line on stderr, exit 1', async () => {
    const cases: [string[], RegExp][] = [
      [['disable', 'nobody'], /^riposte: no user nobody\n$/],
      [['rotate', 'nobody'], /^riposte: no user nobody\n$/],
      [['role', 'nobody', 'admin'], /^riposte: no user nobody\n$/],
      [['add', 'alice', '--role', 'viewer'], /^riposte: a user named alice exists already\n$/],
      [['add', 'carol', '--role', 'root'], /^riposte: invalid role "root": .*\n$/],
      [['role', 'alice', 'root'], /^riposte: invalid role "root": .*\n$/],
      [['add', 'no spaces', '--role', 'viewer'], /^riposte: invalid user name "no spaces": .*\n$/],
    ];
    for (const [args, message] of cases) {
      const r = await users(env, ...args);
      assert.equal(r.code, 1, args.join(' '));
      assert.match(r.stderr, message, args.join(' '));
      assert.equal(r.stdout, '');
    }
  });

  it('a malformed command prints the usage and exits 2', async () => {
    for (const args of [[], ['frobnicate'], ['add', 'carol'], ['list', 'extra'], ['disable'], ['add', 'carol', '--role'], ['list', '--verbose']]) {
      const r = await users(env, ...args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, /usage:\n {2}npm run users -- add <name> --role/, args.join(' '));
    }
  });

  it('without RIPOSTE_USERS_FILE, uses users.db under RIPOSTE_DATA_DIR', async () => {
    const dataDir = path.join(dir, 'data');
    const r = await users({ RIPOSTE_DATA_DIR: dataDir }, 'add', 'dana', '--role', 'source');
    assert.equal(r.code, 0, r.stderr);
    const store = new SqliteUserStore(usersFile(dataDir));
    try {
      assert.equal((await store.authenticate(tokenIn(r.stdout) as string))?.role, 'source');
    } finally {
      await store.close();
    }
  });
});
