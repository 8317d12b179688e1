// Every route against every role, held to the README's permission table: allowed → never 401
// or 403; not allowed → 403 (and nothing changes); no token → 401. Then people's own tokens and
// the audit trail, through the API.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { routeSpecs } from '../../api/app.ts';
import { startApi, TOKENS, type TestApi } from '../helpers/api.ts';
import { testClient, uniqueQueue } from '../helpers/temporal.ts';

const ROLES = ['viewer', 'analyst', 'admin', 'source'] as const;
const TOKEN_OF = { viewer: TOKENS.viewer, analyst: TOKENS.analyst, admin: TOKENS.admin, source: TOKENS.source };

/** `METHOD path` → the roles the README says may call it. */
function readmeTable(): Map<string, Set<string>> {
  const readme = fs.readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
  const section = readme.slice(readme.indexOf('### People, roles and permissions'), readme.indexOf('### Audit trail'));
  const table = new Map<string, Set<string>>();
  for (const m of section.matchAll(/^\| `(GET|POST|PUT|DELETE) ([^`]+)` \| (.+) \|$/gm)) {
    const cells = (m[3] as string).split('|').map((c) => c.trim());
    table.set(`${m[1]} ${m[2]}`, new Set(ROLES.filter((_, i) => cells[i] === '✓')));
  }
  return table;
}

/** A concrete path for a template: ids that exist nowhere (so an allowed call answers 404 or 400, never a change). */
const concrete = (p: string) => p.replace(/\{[A-Za-z]+\}/g, (m) => (m === '{name}' ? 'nobody-here' : m === '{caseId}' ? 'cs_0000000000000000' : 'x0'));

describe('permissions, route by route', () => {
  let api: TestApi;
  let close: () => Promise<void>;
  before(async () => {
    const c = await testClient();
    close = c.close;
    api = await startApi({ client: c.client, taskQueue: uniqueQueue('permissions') });
  });
  after(async () => {
    await api?.close();
    await close?.();
  });

  it('every route is in the README table, and each role gets exactly what the table says', async () => {
    const table = readmeTable();
    const specs = routeSpecs({ client: {} as never, taskQueue: 'x', record: {} as never, users: {} as never, audit: {} as never, indicators: {} as never, tokens: [], logger: {} as never, ingest: { store: {} as never, rules: {} as never, config: { sourceSecrets: {} } as never, onQueued() {} } as never, integrations: async () => [], maxBodyBytes: 1, version: 't' });
    let checked = 0;
    for (const spec of specs) {
      if (spec.roles === 'public') continue;
      const key = `${spec.method.toUpperCase()} ${spec.method === 'post' && /^\/v1\/alerts\/[a-z]+$/.test(spec.path) ? '/v1/alerts/{source}' : spec.path}`;
      const allowed = table.get(key);
      assert.ok(allowed, `${key} is missing from the README permission table`);
      const path = concrete(spec.path);
      const method = spec.method.toUpperCase();
      // Bodies that fail validation: an allowed role gets 400/404/415/422, never a change.
      const body = spec.method === 'get' || spec.method === 'delete' ? undefined : { notAField: true };
      const anonymous = await api.request(method, path, body ? { body } : {});
      assert.equal(anonymous.status, 401, `${key} without a token`);
      for (const role of ROLES) {
        const res = await api.request(method, path, { token: TOKEN_OF[role], ...(body ? { body } : {}) });
        if (allowed.has(role)) assert.ok(res.status !== 401 && res.status !== 403, `${key} as ${role}: ${res.status} ${JSON.stringify(res.body)}`);
        else assert.equal(res.status, 403, `${key} as ${role} must be refused: ${res.status}`);
        checked++;
      }
    }
    assert.ok(checked >= 4 * 25, `checked ${checked} route × role pairs`);
    // Refused attempts are in the audit trail, with who tried.
    const refused = (await api.audit.list({ actor: 'victor', limit: 1000 })).filter((e) => e.status === 403);
    assert.ok(refused.length > 0 && refused.every((e) => e.outcome === 'refused' && e.role === 'viewer'));
    assert.ok((await api.audit.list({ actor: 'anonymous', limit: 1000 })).some((e) => e.status === 401));
  });

  it('an admin adds a person; their own token acts under their name; disabled or rotated, the old token stops; all of it audited and the chain verifies', async () => {
    const added = await api.request('POST', '/v1/users', { token: TOKENS.admin, body: { name: 'carol', role: 'analyst' } });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    const carol = added.body.token as string;
    assert.equal((await api.request('POST', '/v1/users', { token: TOKENS.admin, body: { name: 'carol', role: 'viewer' } })).status, 409);
    assert.equal((await api.request('POST', '/v1/users', { token: TOKENS.analyst, body: { name: 'mallory', role: 'admin' } })).status, 403, 'an analyst cannot make people');
    const list = await api.request('GET', '/v1/users', { token: TOKENS.admin });
    assert.deepEqual(list.body.users.map((u: { name: string; role: string }) => [u.name, u.role]), [['carol', 'analyst']]);
    assert.ok(!JSON.stringify(list.body).includes(carol), 'tokens are never listed');

    // Carol's token works as carol: the rule she adds names her.
    const rule = await api.request('POST', '/v1/suppressions', { token: carol, body: { match: { kind: 'domain', value: 'carol.example' }, reason: 'test' } });
    assert.equal(rule.status, 201, JSON.stringify(rule.body));
    assert.equal(rule.body.author, 'carol');
    assert.equal((await api.request('GET', '/v1/users', { token: carol })).status, 403, 'an analyst is not an admin');

    const rotated = await api.request('POST', '/v1/users/carol/rotate', { token: TOKENS.admin });
    assert.equal(rotated.status, 200);
    assert.equal((await api.request('GET', '/v1/cases', { token: carol })).status, 401, 'the old token stops at once');
    assert.equal((await api.request('GET', '/v1/cases', { token: rotated.body.token })).status, 200);
    assert.equal((await api.request('POST', '/v1/users/carol/disable', { token: TOKENS.admin })).status, 200);
    assert.equal((await api.request('GET', '/v1/cases', { token: rotated.body.token })).status, 401, 'a disabled person cannot act');
    assert.equal((await api.request('POST', '/v1/users/nobody/disable', { token: TOKENS.admin })).status, 404);

    const trail = await api.request('GET', '/v1/audit?actor=ada', { token: TOKENS.admin });
    assert.equal(trail.status, 200);
    assert.deepEqual(
      trail.body.entries.map((e: { action: string; status: number }) => `${e.action} ${e.status}`).slice(0, 5).reverse(),
      ['addUser 201', 'addUser 409', 'rotateUser 200', 'disableUser 200', 'disableUser 404']
    );
    assert.ok(!JSON.stringify(trail.body).includes(rotated.body.token), 'tokens never reach the audit trail');
    assert.ok((await api.request('GET', '/v1/audit?actor=carol', { token: TOKENS.admin })).body.entries.some((e: { action: string }) => e.action === 'createSuppression'));
    assert.equal((await api.request('GET', '/v1/audit', { token: TOKENS.analyst })).status, 403);
    assert.deepEqual(await api.audit.verify(), { ok: true, entries: (await api.audit.list({ limit: 1000 })).length });
  });
});
