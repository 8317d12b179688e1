// `npm run users -- <command>`: people and alert sources, and their API tokens.
//   add <name> --role <role>     a new user; prints their token, once
//   list                         name, role, status, created, last used
//   disable <name>               their token stops working; enable gives it back
//   enable <name>
//   rotate <name>                a new token; the old one stops working at once
//   role <name> <role>           viewer, analyst, admin or source
// The file is RIPOSTE_USERS_FILE, or users.db under RIPOSTE_DATA_DIR (default data/); with
// RIPOSTE_DATABASE_URL, the users table of that PostgreSQL database. Whoever can run this can write
// there, so the CLI is also the way back in when no admin is left.
import os from 'node:os';
import { parseArgs } from 'node:util';
import { isRole, Role } from '../core/roles.ts';
import { UserError, type User } from '../store/users.ts';
import { storesFromEnv } from '../store/open.ts';

const USAGE = `usage:
  npm run users -- add <name> --role <${Object.values(Role).join('|')}>
  npm run users -- list
  npm run users -- disable <name>
  npm run users -- enable <name>
  npm run users -- rotate <name>
  npm run users -- role <name> <role>`;

class UsageError extends Error {}

async function main(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { role: { type: 'string' } } });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  const [command, ...args] = positionals;
  const arity: Record<string, number> = { add: 1, list: 0, disable: 1, enable: 1, rotate: 1, role: 2 };
  if (command === undefined || arity[command] !== args.length) throw new UsageError();
  if (command === 'add' && values.role === undefined) throw new UsageError('add needs --role <role>');
  if (command !== 'add' && values.role !== undefined) throw new UsageError('--role goes with add; to change a role: role <name> <role>');

  const stores = storesFromEnv(process.env, 'riposte-users-cli');
  const store = await stores.users();
  const by = actor();
  try {
    const [name = '', role = ''] = args;
    switch (command) {
      case 'add': {
        const { user, token } = await store.add(name, asRole(values.role as string), by);
        console.log(`added ${user.name} (${user.role})\n\n  ${token.reveal()}\n\nThis token will not be shown again: hand it to ${user.name} now. A lost token is replaced with \`npm run users -- rotate ${user.name}\`.`);
        return;
      }
      case 'list':
        printTable(await store.list());
        return;
      case 'disable':
        console.log(`disabled ${(await store.disable(name, by)).name}: their token no longer works`);
        return;
      case 'enable':
        console.log(`enabled ${(await store.enable(name, by)).name}: their token works again`);
        return;
      case 'rotate': {
        const { user, token } = await store.rotate(name, by);
        console.log(`new token for ${user.name}; the old one no longer works\n\n  ${token.reveal()}\n\nThis token will not be shown again.${user.status === 'disabled' ? ` ${user.name} is disabled: \`npm run users -- enable ${user.name}\` before it works.` : ''}`);
        return;
      }
      case 'role': {
        const user = await store.setRole(name, asRole(role), by);
        console.log(`${user.name} is now ${user.role}`);
        return;
      }
    }
  } finally {
    await stores.close();
  }
}

/** Checked here as well as in the store so a typo fails before the file is touched. */
function asRole(role: string): Role {
  if (!isRole(role)) throw new UserError('invalid', `invalid role ${JSON.stringify(role)}: ${Object.values(Role).join(', ')}`);
  return role;
}

/** Who made the change, for createdBy/updatedBy: the OS account that ran the CLI. */
function actor(): string {
  try {
    return `cli:${os.userInfo().username}`;
  } catch {
    // A container user with no passwd entry has no name, only a uid.
    return `cli:uid-${process.getuid?.() ?? 'unknown'}`;
  }
}

function printTable(users: User[]): void {
  if (users.length === 0) {
    console.log('no users yet: npm run users -- add <name> --role <role>');
    return;
  }
  const when = (iso: string | undefined) => (iso ? `${iso.slice(0, 16).replace('T', ' ')}Z` : 'never');
  const rows = [['NAME', 'ROLE', 'STATUS', 'CREATED', 'LAST USED'], ...users.map((u) => [u.name, u.role, u.status, when(u.createdAt), when(u.lastUsedAt)])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) console.log(r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd());
}

try {
  await main(process.argv.slice(2));
} catch (err) {
  if (err instanceof UsageError) {
    if (err.message) console.error(`riposte: ${err.message}`);
    console.error(USAGE);
    process.exitCode = 2;
  } else {
    console.error(`riposte: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  }
}
