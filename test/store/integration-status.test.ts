// Each integration's last success and failure, the same on SQLite (the embedded default) and
// PostgreSQL (RIPOSTE_DATABASE_URL): what the worker records is what GET /v1/integrations reads.
// Then what only PostgreSQL has: several workers counting on one row at once.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { SqliteIntegrationStatusStore, type IntegrationStatusStore } from '../../store/integration-status.ts';
import { PgIntegrationStatusStore } from '../../store/postgres/integration-status.ts';
import { freshPg, storeBackends, type OpenedStore } from '../helpers/postgres.ts';

const T0 = new Date('2026-12-02T10:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

type Opened = OpenedStore<IntegrationStatusStore>;
const backends = storeBackends<IntegrationStatusStore>('integrations.db', (file) => new SqliteIntegrationStatusStore(file), (db) => PgIntegrationStatusStore.open(db));

for (const backend of backends) {
  describe(`integration status on ${backend.name}`, () => {
    const opened: Opened[] = [];
    const open = async () => {
      const o = await backend.open();
      opened.push(o);
      return o;
    };
    after(async () => {
      for (const o of opened) await o.close();
    });

    it('reads nothing before anything was recorded', async () => {
      const { store } = await open();
      assert.deepEqual(await store.read(), {});
    });

    it('counts successes and keeps the last one', async () => {
      const { store } = await open();
      await store.recordSuccess('virustotal', T0);
      await store.recordSuccess('virustotal', at(60_000));
      await store.recordSuccess('virustotal', at(120_000));
      assert.deepEqual(await store.read(), { virustotal: { lastSuccessAt: at(120_000).toISOString(), successes: 3, failures: 0 } });
    });

    it('counts failures with the last one, and keeps both sides apart', async () => {
      const { store } = await open();
      await store.recordFailure('jira', { type: 'unavailable', message: 'HTTP 503' }, T0);
      await store.recordSuccess('jira', at(1000));
      await store.recordFailure('jira', { type: 'auth', message: 'HTTP 401: token expired' }, at(2000));
      await store.recordSuccess('jira', at(3000));
      assert.deepEqual((await store.read()).jira, {
        lastSuccessAt: at(3000).toISOString(),
        lastFailureAt: at(2000).toISOString(),
        lastFailure: { type: 'auth', message: 'HTTP 401: token expired' },
        successes: 2,
        failures: 2,
      });
      await store.recordFailure('slack', { type: 'request', message: 'channel_not_found' }, at(4000));
      assert.deepEqual(await store.read(), {
        jira: { lastSuccessAt: at(3000).toISOString(), lastFailureAt: at(2000).toISOString(), lastFailure: { type: 'auth', message: 'HTTP 401: token expired' }, successes: 2, failures: 2 },
        slack: { lastFailureAt: at(4000).toISOString(), lastFailure: { type: 'request', message: 'channel_not_found' }, successes: 0, failures: 1 },
      });
    });

    it('keeps the first 500 characters of a failure message', async () => {
      const { store } = await open();
      const message = `${'x'.repeat(499)}yz and more`;
      await store.recordFailure('splunk', { type: 'unavailable', message }, T0);
      const kept = (await store.read()).splunk?.lastFailure?.message;
      assert.equal(kept?.length, 500);
      assert.equal(kept, `${'x'.repeat(499)}y`);
      await store.recordFailure('splunk', { type: 'unavailable', message: 'short' }, at(1));
      assert.equal((await store.read()).splunk?.lastFailure?.message, 'short');
    });

    it('is read by another process as the worker wrote it', async () => {
      const { store, another } = await open();
      await store.recordSuccess('misp', T0);
      await store.recordFailure('otx', { type: 'auth', message: 'bad key' }, T0);
      const api = await another();
      const read = await api.read();
      assert.deepEqual(Object.keys(read), ['misp', 'otx'], 'in the order first recorded');
      assert.equal(read.misp?.successes, 1);
      assert.equal(read.otx?.lastFailure?.message, 'bad key');
      await api.recordSuccess('misp', at(1));
      assert.equal((await store.read()).misp?.successes, 2);
    });
  });
}

describe('PostgreSQL: several workers recording at once', () => {
  const closers: Array<() => Promise<void>> = [];
  after(async () => {
    for (const c of closers.reverse()) await c();
  });

  it('adds up every outcome two workers record on one integration at once', async () => {
    const first = await freshPg();
    const second = await freshPg(first.schema);
    const [one, two] = await Promise.all([PgIntegrationStatusStore.open(first), PgIntegrationStatusStore.open(second)]);
    closers.push(async () => {
      await one.close();
      await two.close();
      await first.close();
      await second.close();
    });
    const work: Array<Promise<void>> = [];
    for (let i = 0; i < 100; i++) {
      const store = i % 2 ? one : two;
      work.push(i % 5 === 0 ? store.recordFailure('crowdstrike', { type: 'unavailable', message: `try ${i}` }, at(i)) : store.recordSuccess('crowdstrike', at(i)));
    }
    // The first outcome ever recorded, raced by both: one row, both counted.
    work.push(one.recordSuccess('sentinelone', T0), two.recordSuccess('sentinelone', T0));
    await Promise.all(work);
    const read = await one.read();
    assert.equal(read.crowdstrike?.successes, 80);
    assert.equal(read.crowdstrike?.failures, 20);
    assert.equal(read.sentinelone?.successes, 2);
    assert.deepEqual(Object.keys(read).sort(), ['crowdstrike', 'sentinelone']);
  });
});
