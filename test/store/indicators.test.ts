// The indicator store's behaviour, the same on SQLite (the embedded default) and PostgreSQL
// (RIPOSTE_DATABASE_URL): analysts' and feeds' indicators, what a sweep hunts and in what order,
// revocation, watermarks, and each sweep recorded once with its sightings. Then what only
// PostgreSQL has: several processes writing one database at once.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { Indicator } from '../../core/indicator.ts';
import { SqliteIndicatorStore, type IndicatorStore, type SweepRun, type SweepSighting } from '../../store/indicators.ts';
import { PgIndicatorStore } from '../../store/postgres/indicators.ts';
import { freshPg, storeBackends, type OpenedStore } from '../helpers/postgres.ts';

const T0 = new Date('2026-12-02T10:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const iso = (ms: number) => at(ms).toISOString();
const HOUR = 3_600_000;

const feed = (value: string, extra: Partial<Indicator> = {}): Indicator => ({ type: 'domain', value, source: 'misp', ...extra });

const run = (id: string, startedAt: string, extra: Partial<SweepRun> = {}): SweepRun => ({
  id,
  startedAt,
  finishedAt: startedAt,
  from: iso(-HOUR),
  to: startedAt,
  status: 'ok',
  indicators: 1,
  sightings: 0,
  alerts: 0,
  feeds: [{ source: 'misp', status: 'ok', pulled: 1, stored: 1 }],
  backends: [{ backend: 'splunk', status: 'ok', sightings: 0 }],
  notes: [],
  ...extra,
});

const sighting = (value: string, when: string, extra: Partial<SweepSighting> = {}): SweepSighting => ({
  indicator: { type: 'domain', value, source: 'misp' },
  at: when,
  host: 'web-1.corp.test',
  backend: 'splunk',
  where: 'index=dns',
  excerpt: `query ${value}`,
  ...extra,
});

type Opened = OpenedStore<IndicatorStore>;
const backends = storeBackends<IndicatorStore>('indicators.db', (file) => new SqliteIndicatorStore(file), (db) => PgIndicatorStore.open(db));

for (const backend of backends) {
  describe(`indicator store on ${backend.name}`, () => {
    const opened: Opened[] = [];
    const open = async () => {
      const o = await backend.open();
      opened.push(o);
      return o;
    };
    after(async () => {
      for (const o of opened) await o.close();
    });

    it("adds an analyst's indicator once: the same active value again answers the existing one", async () => {
      const { store } = await open();
      const first = await store.addAnalyst({ type: 'domain', value: 'evil.test', description: 'phishing kit', expiresAt: iso(24 * HOUR), createdBy: 'alice' }, T0);
      assert.equal(first.existing, false);
      assert.match(first.indicator.id, /^ind_[0-9a-f]{16}$/);
      assert.deepEqual(first.indicator, {
        id: first.indicator.id,
        type: 'domain',
        value: 'evil.test',
        source: 'analyst',
        description: 'phishing kit',
        expiresAt: iso(24 * HOUR),
        createdAt: T0.toISOString(),
        createdBy: 'alice',
        sightings: 0,
      });
      const again = await store.addAnalyst({ type: 'domain', value: 'evil.test', description: 'other words', createdBy: 'bob' }, at(HOUR));
      assert.equal(again.existing, true);
      assert.deepEqual(again.indicator, first.indicator, 'the first one, unchanged');
      assert.deepEqual(await store.get(first.indicator.id), first.indicator);
      // The same value as another type is another indicator.
      assert.equal((await store.addAnalyst({ type: 'url', value: 'evil.test', createdBy: 'bob' }, T0)).existing, false);
      assert.equal((await store.list({ source: 'analyst', limit: 100 })).length, 2);
    });

    it('replaces a revoked or expired analyst indicator with a new one', async () => {
      const { store } = await open();
      const first = (await store.addAnalyst({ type: 'ip', value: '203.0.113.7', createdBy: 'alice' }, T0)).indicator;
      await store.revoke(first.id, 'bob', at(HOUR));
      const second = await store.addAnalyst({ type: 'ip', value: '203.0.113.7', description: 'back again', createdBy: 'carol' }, at(2 * HOUR));
      assert.equal(second.existing, false);
      assert.notEqual(second.indicator.id, first.id);
      assert.equal(second.indicator.revokedAt, undefined);
      assert.equal(second.indicator.createdBy, 'carol');
      assert.equal(await store.get(first.id), undefined, 'the revoked one is gone');

      const expiring = (await store.addAnalyst({ type: 'hash', value: 'a'.repeat(64), expiresAt: iso(HOUR), createdBy: 'alice' }, T0)).indicator;
      assert.equal((await store.addAnalyst({ type: 'hash', value: 'a'.repeat(64), createdBy: 'bob' }, at(HOUR - 1))).existing, true, 'not yet expired');
      const renewed = await store.addAnalyst({ type: 'hash', value: 'a'.repeat(64), createdBy: 'bob' }, at(HOUR));
      assert.equal(renewed.existing, false, 'expired at its expiry');
      assert.notEqual(renewed.indicator.id, expiring.id);
      assert.equal(renewed.indicator.expiresAt, undefined);
      assert.deepEqual((await store.list({ source: 'analyst', limit: 100 })).map((i) => i.id).sort(), [second.indicator.id, renewed.indicator.id].sort());
    });

    it("stores feed indicators, counts only new ones, and extends a known one's expiry", async () => {
      const { store } = await open();
      const added = await store.upsertFeed(
        [
          feed('a.test', { reference: 'event-1', description: 'first words', firstSeen: iso(-HOUR), expiresAt: iso(HOUR) }),
          feed('b.test', { expiresAt: iso(HOUR) }),
          feed('a.test', { expiresAt: iso(2 * HOUR), description: 'later words' }), // the same one again in the pull
          feed('a.test', { type: 'url' }),
          feed('a.test', { source: 'otx' }),
        ],
        T0
      );
      assert.equal(added, 4, 'a.test twice in one pull is one indicator');
      const misp = await store.list({ source: 'misp', limit: 100 });
      const a = misp.find((i) => i.type === 'domain' && i.value === 'a.test');
      assert.deepEqual(a, {
        id: a?.id,
        type: 'domain',
        value: 'a.test',
        source: 'misp',
        reference: 'event-1',
        description: 'first words',
        firstSeen: iso(-HOUR),
        expiresAt: iso(2 * HOUR),
        createdAt: T0.toISOString(),
        createdBy: 'misp',
        sightings: 0,
      });
      assert.match(a?.id ?? '', /^ind_[0-9a-f]{16}$/);

      const again = await store.upsertFeed([feed('a.test', { expiresAt: iso(48 * HOUR) }), feed('b.test', { reference: 'event-2', expiresAt: iso(48 * HOUR) }), feed('c.test')], at(HOUR));
      assert.equal(again, 1, 'only c.test is new');
      const later = await store.list({ source: 'misp', active: true, limit: 100 }, at(3 * HOUR));
      assert.deepEqual(later.map((i) => `${i.type}:${i.value}`).sort(), ['domain:a.test', 'domain:b.test', 'domain:c.test', 'url:a.test'], 'a.test and b.test outlive their first expiry');
      const a2 = later.find((i) => i.id === a?.id);
      assert.equal(a2?.expiresAt, iso(48 * HOUR));
      assert.equal(a2?.reference, 'event-1', 'a pull without a reference keeps the one known');
      assert.equal(a2?.createdAt, T0.toISOString(), 'still the indicator first stored');
      assert.equal(later.find((i) => i.value === 'b.test' && i.type === 'domain')?.reference, 'event-2');
      assert.equal(await store.upsertFeed([], T0), 0);
    });

    it('keeps a feed indicator of any length, and finds it again by value', async () => {
      const { store } = await open();
      // Longer than a database index entry can hold (URLhaus has URLs this long).
      const long = `http://payload.test/${Array.from({ length: 4000 }, (_, i) => String.fromCharCode(0x4e00 + ((i * 7919) % 20000))).join('')}`;
      assert.equal(await store.upsertFeed([{ type: 'url', value: long, source: 'urlhaus' }], T0), 1);
      assert.equal(await store.upsertFeed([{ type: 'url', value: long, source: 'urlhaus', expiresAt: iso(HOUR) }], T0), 0);
      assert.equal(await store.upsertFeed([{ type: 'url', value: `${long}x`, source: 'urlhaus' }], T0), 1, 'one character more is another indicator');
      await store.recordSweep(run('sw-long', iso(HOUR)), [sighting(long, iso(HOUR), { indicator: { type: 'url', value: long, source: 'urlhaus' } })]);
      const stored = (await store.list({ source: 'urlhaus', limit: 10 })).find((i) => i.value === long);
      assert.equal(stored?.value, long);
      assert.equal(stored?.expiresAt, iso(HOUR));
      assert.equal(stored?.sightings, 1);
      const analyst = await store.addAnalyst({ type: 'url', value: long, createdBy: 'alice' }, T0);
      assert.equal((await store.addAnalyst({ type: 'url', value: long, createdBy: 'bob' }, T0)).indicator.id, analyst.indicator.id);
    });

    it('lists by source and by activity, page by page in id order', async () => {
      const { store } = await open();
      await store.upsertFeed(Array.from({ length: 7 }, (_, i) => feed(`f${i}.test`, { expiresAt: i < 2 ? iso(HOUR) : iso(48 * HOUR) })), T0);
      const revoked = (await store.addAnalyst({ type: 'domain', value: 'revoked.test', createdBy: 'alice' }, T0)).indicator;
      await store.revoke(revoked.id, 'alice', T0);
      await store.addAnalyst({ type: 'domain', value: 'kept.test', createdBy: 'alice' }, T0);

      const all = await store.list({ limit: 100 });
      assert.equal(all.length, 9);
      assert.deepEqual(
        all.map((i) => i.id),
        all.map((i) => i.id).sort(),
        'in id order'
      );
      assert.equal((await store.list({ limit: 100, active: true }, at(2 * HOUR))).length, 6, 'not the revoked one, nor the two expired');
      assert.deepEqual((await store.list({ source: 'analyst', active: true, limit: 100 }, T0)).map((i) => i.value), ['kept.test']);
      assert.equal((await store.list({ source: 'otx', limit: 100 })).length, 0);

      const pages: string[][] = [];
      let after: string | undefined;
      for (;;) {
        const page = await store.list({ limit: 4, ...(after ? { after } : {}) });
        if (page.length === 0) break;
        pages.push(page.map((i) => i.id));
        after = page.at(-1)?.id;
      }
      assert.deepEqual(
        pages.map((p) => p.length),
        [4, 4, 1]
      );
      assert.deepEqual(pages.flat(), all.map((i) => i.id), 'every one once, in order');
      assert.equal((await store.list({ limit: 0 })).length, 1, 'a limit below one is one');
    });

    it("gives a sweep the active indicators: analysts' first, then the newest, ties as written, at most the limit", async () => {
      const { store } = await open();
      await store.upsertFeed([feed('old-2.test'), feed('old-1.test'), feed('old-3.test')], T0);
      await store.upsertFeed([feed('new-b.test'), feed('new-a.test'), feed('gone.test', { expiresAt: iso(2 * HOUR) })], at(HOUR));
      await store.addAnalyst({ type: 'domain', value: 'analyst-1.test', createdBy: 'alice' }, T0);
      await store.addAnalyst({ type: 'domain', value: 'analyst-2.test', createdBy: 'alice' }, at(30 * 60_000));
      const revoked = (await store.addAnalyst({ type: 'domain', value: 'analyst-revoked.test', createdBy: 'alice' }, at(HOUR))).indicator;
      await store.revoke(revoked.id, 'bob', at(HOUR));
      // Seen again by a later pull: still where it was first written.
      await store.upsertFeed([feed('old-2.test', { expiresAt: iso(96 * HOUR) })], at(90 * 60_000));

      const order = ['analyst-2.test', 'analyst-1.test', 'new-b.test', 'new-a.test', 'old-2.test', 'old-1.test', 'old-3.test'];
      assert.deepEqual((await store.active(100, at(3 * HOUR))).map((i) => i.value), order);
      assert.deepEqual((await store.active(100, at(HOUR))).map((i) => i.value), [...order.slice(0, 4), 'gone.test', ...order.slice(4)], 'before its expiry');
      assert.deepEqual((await store.active(4, at(3 * HOUR))).map((i) => i.value), order.slice(0, 4));
      assert.deepEqual(await store.active(0, at(3 * HOUR)), []);
    });

    it('revokes an indicator once, keeping who revoked it first', async () => {
      const { store } = await open();
      await store.upsertFeed([feed('x.test')], T0);
      const [x] = await store.list({ limit: 1 });
      const revoked = await store.revoke(x?.id as string, 'alice', at(HOUR));
      assert.equal(revoked?.revokedAt, iso(HOUR));
      assert.equal(revoked?.revokedBy, 'alice');
      const twice = await store.revoke(x?.id as string, 'bob', at(2 * HOUR));
      assert.equal(twice?.revokedBy, 'alice');
      assert.equal(twice?.revokedAt, iso(HOUR));
      assert.deepEqual(await store.active(10, at(2 * HOUR)), []);
      assert.equal(await store.revoke('ind_0000000000000000', 'alice'), undefined);
      assert.equal(await store.get('ind_0000000000000000'), undefined);
    });

    it('keeps watermarks by name, for another process to read', async () => {
      const { store, another } = await open();
      assert.equal(await store.watermark('feed:misp'), undefined);
      await store.setWatermark('feed:misp', iso(0));
      await store.setWatermark('hunt', iso(HOUR));
      await store.setWatermark('feed:misp', iso(2 * HOUR));
      const other = await another();
      assert.equal(await other.watermark('feed:misp'), iso(2 * HOUR));
      assert.equal(await other.watermark('hunt'), iso(HOUR));
      assert.equal(await other.watermark('feed:otx'), undefined);
    });

    it('records a sweep with its sightings once, counting each sighting on every indicator of its value', async () => {
      const { store } = await open();
      await store.upsertFeed([feed('c2.test'), feed('c2.test', { source: 'otx' }), feed('quiet.test')], T0);
      const analyst = (await store.addAnalyst({ type: 'domain', value: 'c2.test', createdBy: 'alice' }, T0)).indicator;
      const sightings = [
        sighting('c2.test', iso(10 * 60_000), { alertId: 'al_1' }),
        sighting('c2.test', iso(40 * 60_000), { host: 'web-2.corp.test', alertId: 'al_2' }),
        sighting('c2.test', iso(20 * 60_000)),
        sighting('unknown.test', iso(30 * 60_000)),
      ];
      const first = run('sweep-1', iso(HOUR), { sightings: 4, alerts: 2, notes: ['first'] });
      assert.deepEqual(await store.recordSweep(first, sightings), first);
      // The activity retried: the run it recorded first comes back, nothing is counted twice.
      const retried = await store.recordSweep(run('sweep-1', iso(HOUR), { sightings: 9, notes: ['retried'] }), sightings);
      assert.deepEqual(retried, first);

      const recorded = await store.sweep('sweep-1');
      assert.deepEqual(recorded, { run: first, sightings });
      const byKey = new Map((await store.list({ limit: 100 })).map((i) => [`${i.source}:${i.value}`, i]));
      for (const key of ['misp:c2.test', 'otx:c2.test', 'analyst:c2.test']) {
        assert.equal(byKey.get(key)?.sightings, 3, key);
        assert.equal(byKey.get(key)?.lastSeenAt, iso(40 * 60_000), `${key}: the latest sighting`);
      }
      assert.equal(byKey.get('misp:quiet.test')?.sightings, 0);
      assert.equal(byKey.get('misp:quiet.test')?.lastSeenAt, undefined);

      // A later sweep with an older sighting adds to the count but does not move the last sighting back.
      await store.recordSweep(run('sweep-2', iso(2 * HOUR)), [sighting('c2.test', iso(5 * 60_000))]);
      const after2 = await store.get(analyst.id);
      assert.equal(after2?.sightings, 4);
      assert.equal(after2?.lastSeenAt, iso(40 * 60_000));
      assert.equal(await store.sweep('sweep-3'), undefined);
      assert.equal((await store.sweep('sweep-2'))?.sightings.length, 1);
    });

    it('lists sweeps newest first, page by page before a start time', async () => {
      const { store, another } = await open();
      for (let i = 0; i < 5; i++) await store.recordSweep(run(`sw-${i}`, iso(i * HOUR), { notes: [`#${i}`] }), []);
      // Two sweeps started in the same millisecond: in the order they were recorded.
      await store.recordSweep(run('sw-tie-a', iso(5 * HOUR)), []);
      await store.recordSweep(run('sw-tie-b', iso(5 * HOUR)), []);
      const all = await store.sweeps(100);
      assert.deepEqual(
        all.map((r) => r.id),
        ['sw-tie-a', 'sw-tie-b', 'sw-4', 'sw-3', 'sw-2', 'sw-1', 'sw-0']
      );
      assert.deepEqual(all[2], run('sw-4', iso(4 * HOUR), { notes: ['#4'] }), 'the run as recorded');
      const first = await store.sweeps(3);
      assert.deepEqual(
        first.map((r) => r.id),
        ['sw-tie-a', 'sw-tie-b', 'sw-4']
      );
      const next = await store.sweeps(3, first.at(-1)?.startedAt);
      assert.deepEqual(
        next.map((r) => r.id),
        ['sw-3', 'sw-2', 'sw-1']
      );
      assert.deepEqual(
        (await store.sweeps(3, next.at(-1)?.startedAt)).map((r) => r.id),
        ['sw-0']
      );
      assert.equal((await store.sweeps(0)).length, 1, 'a limit below one is one');
      assert.deepEqual((await (await another()).sweeps(1)).map((r) => r.id), ['sw-tie-a'], 'another process reads them');
    });

    it('stores text with U+0000 in it and finds it again by the same value', async () => {
      const { store } = await open();
      const first = await store.addAnalyst({ type: 'domain', value: 'nul\u0000.test', createdBy: 'alice' }, T0);
      const again = await store.addAnalyst({ type: 'domain', value: 'nul\u0000.test', createdBy: 'alice' }, T0);
      assert.equal(again.existing, true);
      assert.equal(again.indicator.id, first.indicator.id);
      const s = sighting('nul\u0000.test', iso(HOUR), { excerpt: 'query nul\u0000.test' });
      await store.recordSweep(run('sw-nul\u0000', iso(HOUR)), [s]);
      assert.equal((await store.get(first.indicator.id))?.sightings, 1);
      assert.deepEqual((await store.sweep('sw-nul\u0000'))?.sightings, [s], 'a sighting comes back as it was');
    });
  });
}

describe('PostgreSQL: several processes on one indicator store', () => {
  const closers: Array<() => Promise<void>> = [];
  after(async () => {
    for (const c of closers.reverse()) await c();
  });
  /** Each its own pool on one schema, as separate processes would have. */
  const processes = async (): Promise<[PgIndicatorStore, PgIndicatorStore]> => {
    const first = await freshPg();
    const second = await freshPg(first.schema);
    const stores = await Promise.all([PgIndicatorStore.open(first), PgIndicatorStore.open(second)]);
    closers.push(async () => {
      for (const s of stores) await s.close();
      await first.close();
      await second.close();
    });
    return stores as [PgIndicatorStore, PgIndicatorStore];
  };

  it('records a sweep two workers record at once exactly once', async () => {
    const [one, two] = await processes();
    await one.upsertFeed([feed('race.test')], T0);
    const [ind] = await one.list({ limit: 1 });
    for (let i = 0; i < 15; i++) {
      const sightings = [sighting('race.test', iso(i * 1000)), sighting('race.test', iso(i * 1000 + 1))];
      const mine = run(`race-${i}`, iso(i * HOUR), { notes: ['one'] });
      const theirs = run(`race-${i}`, iso(i * HOUR), { notes: ['two'] });
      const [a, b] = await Promise.all([one.recordSweep(mine, sightings), two.recordSweep(theirs, sightings)]);
      assert.deepEqual(a, b, `round ${i}: both answer the run that was recorded`);
      assert.ok(a.notes[0] === 'one' || a.notes[0] === 'two');
      assert.deepEqual((await two.sweep(`race-${i}`))?.sightings, sightings, `round ${i}`);
      assert.equal((await one.get(ind?.id as string))?.sightings, 2 * (i + 1), `round ${i}: counted once`);
    }
    assert.equal((await two.sweeps(100)).length, 15);
  });

  it("adds an analyst's indicator two analysts add at once once", async () => {
    const [one, two] = await processes();
    for (let i = 0; i < 15; i++) {
      const add = (s: PgIndicatorStore, who: string) => s.addAnalyst({ type: 'domain', value: `both-${i}.test`, createdBy: who }, T0);
      const [a, b] = await Promise.all([add(one, 'alice'), add(two, 'bob')]);
      assert.deepEqual([a.existing, b.existing].sort(), [false, true], `round ${i}`);
      assert.equal(a.indicator.id, b.indicator.id, `round ${i}`);
    }
    // Both replacing one revoked indicator at once: one new indicator.
    const old = (await one.addAnalyst({ type: 'ip', value: '198.51.100.1', createdBy: 'alice' }, T0)).indicator;
    await one.revoke(old.id, 'alice', T0);
    const [a, b] = await Promise.all([one.addAnalyst({ type: 'ip', value: '198.51.100.1', createdBy: 'alice' }, T0), two.addAnalyst({ type: 'ip', value: '198.51.100.1', createdBy: 'bob' }, T0)]);
    assert.deepEqual([a.existing, b.existing].sort(), [false, true]);
    assert.equal(a.indicator.id, b.indicator.id);
    assert.notEqual(a.indicator.id, old.id);
    assert.equal((await one.list({ source: 'analyst', limit: 100 })).length, 16);
  });

  it('counts a feed indicator two workers store at once as new once', async () => {
    const [one, two] = await processes();
    const pull = Array.from({ length: 200 }, (_, i) => feed(`pulled-${i}.test`));
    const [a, b] = await Promise.all([one.upsertFeed(pull, T0), two.upsertFeed([...pull].reverse(), T0)]);
    assert.equal(a + b, 200, `${a} + ${b}`);
    assert.equal((await one.list({ limit: 1000 })).length, 200);
  });
});
