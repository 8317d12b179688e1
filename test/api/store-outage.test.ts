// When the database goes away (PostgreSQL restarting), the API says "not now" — 503 with
// Retry-After — instead of 500, does nothing, and takes the same request once the database is
// back. A real PostgreSQL 15 of the test's own, stopped and started again.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { Secret } from '../../config/secret.ts';
import { freePort } from '../../scripts/dev-server.ts';
import { startPostgres, type LocalPostgres } from '../../scripts/postgres.ts';
import { openStores } from '../../store/open.ts';
import { c2Finding } from '../helpers/alerts.ts';
import { startApi, TOKENS, type TestApi } from '../helpers/api.ts';
import { testClient, uniqueQueue } from '../helpers/temporal.ts';

describe('the API while PostgreSQL restarts', () => {
  let client: Client;
  let closeClient: () => Promise<void>;
  let pg: LocalPostgres;
  let api: TestApi;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'riposte-outage-'));

  before(async () => {
    ({ client, close: closeClient } = await testClient());
    pg = await startPostgres({ dir: path.join(dir, 'pg'), port: await freePort() });
    const url = await pg.createDatabase('riposte');
    const dataDir = path.join(dir, 'data');
    fs.mkdirSync(dataDir);
    api = await startApi({ client, taskQueue: uniqueQueue('outage'), dataDir, stores: openStores({ databaseUrl: new Secret(url), dataDir, applicationName: 'riposte-test' }) });
  });
  after(async () => {
    await api?.close();
    await pg?.stop().catch(() => undefined);
    await closeClient?.();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const send = (finding: unknown) => api.request('POST', '/v1/alerts', { token: TOKENS.source, body: finding });

  it('answers 503 with Retry-After while the database is away, stores nothing, and takes the re-sent alert after', async () => {
    const first = await send(c2Finding({ hostname: 'before.corp.test' }));
    assert.equal(first.status, 202, JSON.stringify(first.body));

    await pg.stop();
    const during = c2Finding({ hostname: 'during.corp.test' });
    const refused = await send(during);
    assert.equal(refused.status, 503, JSON.stringify(refused.body));
    assert.match(refused.headers.get('content-type') ?? '', /application\/problem\+json/);
    assert.ok(Number(refused.headers.get('retry-after')) > 0, `Retry-After: ${refused.headers.get('retry-after')}`);
    assert.match(refused.body.detail, /store is unavailable/);
    assert.doesNotMatch(JSON.stringify(refused.body), /postgres:\/\/|ECONNREFUSED/, 'nothing of the connection reaches the sender');
    const list = await api.request('GET', '/v1/cases', { token: TOKENS.analyst });
    assert.equal(list.status, 503, 'a read is "not now" too');

    await pg.restart();
    const again = await send(during);
    assert.equal(again.status, 202, JSON.stringify(again.body));
    assert.equal(again.body.outcome, 'new', 'the refused alert was not half-stored');
    assert.equal(await api.store.countAlerts(), 2);
  });
});
