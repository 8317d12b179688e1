// The alert store's behaviour, the same on SQLite (the embedded default) and PostgreSQL
// (RIPOSTE_DATABASE_URL): what ingest decides, idempotent requests, the outbox, reads and
// retention. Then what only PostgreSQL has: several API replicas on one database.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import type { NativeAlert } from '../../core/alert.ts';
import type { SuppressionRule } from '../../domain/suppression.ts';
import { SqliteAlertStore } from '../../store/sqlite.ts';
import { PgAlertStore } from '../../store/postgres/alert-store.ts';
import type { AlertStore, IngestItem, IngestPolicy } from '../../store/types.ts';
import { c2Alert } from '../helpers/alerts.ts';
import { freshPg } from '../helpers/postgres.ts';

const T0 = new Date('2026-12-02T10:00:00Z');
const policy = (now = T0): IngestPolicy => ({ now, dedupWindowMs: 300_000, correlationWindowMs: 3_600_000 });
const item = (alert: NativeAlert, extra: Partial<IngestItem> = {}): IngestItem => ({ alert, raw: JSON.stringify({ id: alert.sourceUid }), rawTruncated: false, ...extra });
const at = (ms: number) => new Date(T0.getTime() + ms);

type Opened = { store: AlertStore; close(): Promise<void> };
const backends: Array<{ name: string; open(): Promise<Opened> }> = [
  {
    name: 'SQLite',
    async open() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'riposte-store-'));
      const store = new SqliteAlertStore(path.join(dir, 'alerts.db'), { groupCommitMs: 1 });
      return { store, close: async () => (await store.close(), fs.rmSync(dir, { recursive: true, force: true })) };
    },
  },
  {
    name: 'PostgreSQL',
    async open() {
      const db = await freshPg();
      const store = await PgAlertStore.open(db);
      return { store, close: async () => (await store.close(), await db.close()) };
    },
  },
];

for (const backend of backends) {
  describe(`alert store on ${backend.name}`, () => {
    const opened: Opened[] = [];
    const open = async () => {
      const o = await backend.open();
      opened.push(o);
      return o.store;
    };
    after(async () => {
      for (const o of opened) await o.close();
    });

    it('opens a case for a new alert, joins the next alert on the same host to it, and queues both in order', async () => {
      const store = await open();
      const a = c2Alert({ hostname: 'web-1.corp.test', remoteIp: '203.0.113.7' });
      const b = c2Alert({ hostname: 'web-1.corp.test', remoteIp: '198.51.100.9' });
      const [ra] = (await store.ingest([item(a)], policy())).results;
      const [rb] = (await store.ingest([item(b)], policy(at(1000)))).results;
      assert.equal(ra?.outcome, 'new');
      assert.equal(rb?.outcome, 'new');
      assert.equal(rb?.caseId, ra?.caseId, 'the second alert names the same host: same case');
      const kase = await store.getCase(ra?.caseId as string);
      assert.equal(kase?.alertCount, 2);
      assert.ok(kase?.entities.includes('host:web-1.corp.test'), `entities: ${kase?.entities.join(', ')}`);
      assert.equal(store.backlog(), 2);
      assert.deepEqual(await store.pendingCases(), [ra?.caseId]);
      const rows = await store.pendingForCase(ra?.caseId as string, 10);
      assert.deepEqual(rows.map((r) => r.alertId), [a.id, b.id]);
      assert.ok((rows[0]?.seq as number) < (rows[1]?.seq as number));
      await store.markDispatched(rows.map((r) => r.seq));
      assert.equal(store.backlog(), 0);
      assert.deepEqual(await store.pendingCases(), []);
      assert.deepEqual((await store.caseAlerts(ra?.caseId as string, 10)).map((x) => x.id), [a.id, b.id]);
      assert.deepEqual((await store.firstAlerts([ra?.caseId as string])).map((x) => x.id), [a.id]);
    });

    it('tells a re-send from a repeat and from news, and queues a resolution', async () => {
      const store = await open();
      const a = c2Alert({ hostname: 'db-1.corp.test' });
      const first = (await store.ingest([item(a, { occurrences: 1 })], policy())).results[0];
      assert.equal((await store.ingest([item(a, { occurrences: 1 })], policy(at(10)))).results[0]?.outcome, 'duplicate');
      assert.equal((await store.ingest([item(a, { occurrences: 3 })], policy(at(20)))).results[0]?.outcome, 'updated');
      assert.equal((await store.getAlert(a.id))?.count, 3, 'the source counted 3: two more than before');
      // The same finding under another source id, within the window: a repeat, counted on the first.
      const again = { ...a, id: `al_${a.id.slice(3)}x`, sourceUid: `${a.sourceUid}-2` };
      const repeat = (await store.ingest([item(again)], policy(at(30)))).results[0];
      assert.equal(repeat?.outcome, 'deduplicated');
      assert.equal(repeat?.alertId, a.id);
      assert.equal((await store.getAlert(a.id))?.count, 4);
      const resolved = (await store.ingest([item(a, { status: 'resolved' })], policy(at(40)))).results[0];
      assert.equal(resolved?.outcome, 'updated');
      const rows = await store.pendingForCase(first?.caseId as string, 10);
      assert.deepEqual(rows.map((r) => r.kind), ['new', 'resolved']);
      assert.equal((await store.getAlert(a.id))?.status, 'resolved');
      assert.equal(await store.countAlerts(), 1);
    });

    it('stores a suppressed alert with its rule, starts nothing, and counts the hit on a stored rule', async () => {
      const store = await open();
      const rule: SuppressionRule = { id: 'sp_scanner', origin: 'api', status: 'active', match: { kind: 'ip', value: '203.0.113.0/24' }, reason: 'our scanner', author: 'alice', createdAt: T0.toISOString(), hits: 0 };
      await store.saveSuppression(rule);
      await store.setSuppressionRules([rule]);
      const a = c2Alert({ remoteIp: '203.0.113.50' });
      const r = (await store.ingest([item(a)], policy())).results[0];
      assert.equal(r?.outcome, 'suppressed');
      assert.equal(r?.suppressedBy, 'sp_scanner');
      assert.equal(r?.caseId, null);
      assert.equal(store.backlog(), 0);
      assert.equal((await store.getSuppression('sp_scanner'))?.hits, 1);
      assert.equal((await store.getAlert(a.id))?.suppressedBy, 'sp_scanner');
      const stats = await store.alertStats(at(-1000).toISOString(), at(1000).toISOString());
      assert.equal(stats.suppressed, 1);
      assert.deepEqual(stats.bySuppression, [{ rule: 'sp_scanner', alerts: 1 }]);
    });

    it('keeps a request under its keys with its results, in the transaction that commits its alerts', async () => {
      const store = await open();
      const a = c2Alert();
      const out = await store.ingest([item(a)], policy(), { keys: ['key-1', 'src:abc'], bodySha: 'sha-1', context: { source: 'ocsf', n: 1 } });
      for (const key of ['key-1', 'src:abc']) {
        const kept = await store.findRequest(key);
        assert.ok(kept && 'results' in kept);
        assert.deepEqual(kept.results, out.results);
        assert.deepEqual(kept.context, { source: 'ocsf', n: 1 });
        assert.equal(kept.bodySha, 'sha-1');
      }
      assert.equal(await store.findRequest('key-2'), null);
      await store.prune(at(2 * 86_400_000), { requestsMs: 86_400_000, entitiesMs: 7_200_000 });
      assert.equal(await store.findRequest('key-1'), null, 'pruned after a day');
    });

    it('fails one bad request of a group alone: the others commit', async () => {
      const store = await open();
      const good = c2Alert({ hostname: 'good.corp.test' });
      const bad = { ...c2Alert({ hostname: 'bad.corp.test' }), title: null } as unknown as NativeAlert; // NOT NULL column
      const results = await Promise.allSettled([store.ingest([item(good)], policy()), store.ingest([item(bad)], policy())]);
      assert.equal(results[0]?.status, 'fulfilled');
      assert.equal(results[1]?.status, 'rejected');
      assert.ok(await store.getAlert(good.id));
      assert.equal(await store.getAlert(bad.id), null);
      assert.equal(store.backlog(), 1);
    });

    it('takes an alert whose text holds U+0000, and finds it again (PostgreSQL stores it as U+FFFD)', async () => {
      const store = await open();
      const base = c2Alert({ hostname: 'nul.corp.test' });
      const a = { ...base, title: 'beacon\u0000to C2', observables: [...base.observables, { type: 'domain' as const, value: 'nul\u0000.test' }] };
      const r = (await store.ingest([item(a, { raw: JSON.stringify({ t: 'x\u0000y' }) })], policy())).results[0];
      assert.equal(r?.outcome, 'new');
      const got = await store.getAlert(a.id);
      assert.match(got?.title ?? '', /^beacon.to C2$/);
      assert.deepEqual(JSON.parse(got?.raw ?? '{}'), { t: 'x\u0000y' }, 'the raw payload keeps it exactly');
      assert.deepEqual((await store.listCases({ limit: 5, q: 'x\u0000' })).length, 0, 'a search for it is no error');
      assert.equal((await store.listCases({ limit: 5, q: 'nul' })).length, 1, 'its observables are searched');
      const stats = await store.alertStats(at(-1000).toISOString(), at(1000).toISOString());
      assert.ok(stats.topEntities.some((e) => e.entity.startsWith('domain:nul')), JSON.stringify(stats.topEntities));
    });

    it('lists cases newest first with a stable cursor and filters', async () => {
      const store = await open();
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const a = c2Alert({ hostname: `h${i}.corp.test`, hostIp: `10.9.0.${i}`, remoteIp: `192.0.2.${i}`, severity_id: i < 2 ? 5 : 3 });
        ids.push((await store.ingest([item(a)], policy(at(i * 1000)))).results[0]?.caseId as string);
      }
      const page1 = await store.listCases({ limit: 2 });
      assert.deepEqual(page1.map((c) => c.id), [ids[4], ids[3]]);
      const last = page1[1] as { createdAt: string; id: string };
      const page2 = await store.listCases({ limit: 2, before: `${last.createdAt}|${last.id}` });
      assert.deepEqual(page2.map((c) => c.id), [ids[2], ids[1]]);
      assert.deepEqual((await store.listCases({ limit: 10, severityMin: 5 })).map((c) => c.id), [ids[1], ids[0]]);
      assert.deepEqual((await store.listCases({ limit: 10, entity: 'host:h3.corp.test' })).map((c) => c.id), [ids[3]]);
      assert.deepEqual((await store.listCases({ limit: 10, q: 'H2.CORP' })).map((c) => c.id), [ids[2]], 'free text ignores letter case');
      assert.deepEqual((await store.listCases({ limit: 10, q: '100%' })).map((c) => c.id), [], 'a % is a character, not a wildcard');
    });

    it('keeps each alert’s triage, ranks a case by its highest, and lists by priority with a stable cursor', async () => {
      const store = await open();
      const triage = (priority: number): IngestItem['triage'] => ({ priority, fpLikelihood: 0.5, fpBasis: 'no verdicts yet: an even prior', unusual: false, novel: false, critical: [], reasons: [`p${priority}`] });
      const ids: string[] = [];
      for (const [i, p] of [40, 90, 40, 10].entries()) {
        const a = c2Alert({ hostname: `t${i}.corp.test`, hostIp: `10.8.0.${i}`, remoteIp: `192.0.2.${50 + i}` });
        ids.push((await store.ingest([item(a, { triage: triage(p) })], policy(at(i * 1000)))).results[0]?.caseId as string);
      }
      // A later alert on t3 outranks its case's first: the case takes its priority and reasons; a lower one does not.
      const joining = c2Alert({ hostname: 't3.corp.test', hostIp: '10.8.0.3', remoteIp: '192.0.2.99' });
      assert.equal((await store.ingest([item(joining, { triage: triage(95) })], policy(at(5000)))).results[0]?.caseId, ids[3]);
      const lower = c2Alert({ hostname: 't1.corp.test', hostIp: '10.8.0.1', remoteIp: '192.0.2.98' });
      await store.ingest([item(lower, { triage: triage(5) })], policy(at(6000)));
      const raised = await store.getCase(ids[3] as string);
      assert.equal(raised?.priority, 95);
      assert.deepEqual(raised?.triage?.reasons, ['p95']);
      assert.equal(raised?.triage?.alertId, joining.id, 'the case says which alert ranks it');
      assert.equal((await store.getCase(ids[1] as string))?.priority, 90, 'a lower alert leaves the case as it was');
      assert.equal((await store.getAlert(joining.id))?.triage?.priority, 95, 'each alert keeps its own');

      const page1 = await store.listCases({ limit: 2, sort: 'priority' });
      assert.deepEqual(page1.map((c) => c.id), [ids[3], ids[1]]);
      const last = page1[1] as { priority: number; createdAt: string; id: string };
      const page2 = await store.listCases({ limit: 2, sort: 'priority', before: `${last.priority}|${last.createdAt}|${last.id}` });
      assert.deepEqual(page2.map((c) => c.id), [ids[2], ids[0]], 'equal priorities: newest first');
      assert.deepEqual((await store.listCases({ limit: 5, sort: 'priority', before: `40|${page2[1]?.createdAt}|${page2[1]?.id}` })).map((c) => c.id), [], 'the last page: the case at 10 rose to 95');
    });

    it('gives the triage learner the verdicts of recent cases, oldest first', async () => {
      const store = await open();
      const caseIds: string[] = [];
      for (let i = 0; i < 3; i++) {
        const a = c2Alert({ hostname: `v${i}.corp.test`, hostIp: `10.7.0.${i}`, remoteIp: `192.0.2.${70 + i}` });
        caseIds.push((await store.ingest([item(a)], policy(at(i * 1000)))).results[0]?.caseId as string);
      }
      await store.setVerdict(caseIds[2] as string, { verdict: 'false_positive', by: 'alice', at: at(9000).toISOString() }, []);
      await store.setVerdict(caseIds[0] as string, { verdict: 'true_positive', by: 'bob', at: at(9500).toISOString() }, []);
      const kept = await store.verdictsSince(T0.toISOString(), 10);
      assert.deepEqual(kept.map((v) => [v.caseId, v.verdict.verdict]), [[caseIds[0], 'true_positive'], [caseIds[2], 'false_positive']]);
      assert.deepEqual(await store.verdictsSince(at(1000).toISOString(), 10).then((v) => v.map((x) => x.caseId)), [caseIds[2]], 'cases idle since before are left out');
    });

    it('records a verdict with its suggestions, and deletes idle cases with their alerts', async () => {
      const store = await open();
      const a = c2Alert({ hostname: 'old.corp.test' });
      const caseId = (await store.ingest([item(a)], policy())).results[0]?.caseId as string;
      await store.markDispatched((await store.pendingForCase(caseId, 10)).map((r) => r.seq));
      const suggestion: SuppressionRule = { id: 'sp_sugg', origin: 'suggested', status: 'suggested', match: { kind: 'domain', value: 'example.com' }, reason: 'fp', author: 'alice', createdAt: T0.toISOString(), hits: 0, fromCase: caseId };
      await store.setVerdict(caseId, { verdict: 'false_positive', by: 'alice', at: T0.toISOString() } as never, [suggestion]);
      assert.equal((await store.getCase(caseId))?.verdict?.verdict, 'false_positive');
      assert.deepEqual((await store.listSuppressions()).map((r) => r.id), ['sp_sugg']);
      assert.deepEqual(await store.casesIdleSince(at(1000).toISOString(), 10), [caseId]);
      assert.equal(await store.deleteCases([caseId]), 1);
      assert.equal(await store.getCase(caseId), null);
      assert.equal(await store.getAlert(a.id), null);
    });
  });
}

describe('PostgreSQL: several API replicas on one database', () => {
  const closers: Array<() => Promise<void>> = [];
  after(async () => {
    for (const c of closers.reverse()) await c();
  });
  const replicas = async (n: number) => {
    // Each replica its own pool on one schema, as separate processes would have.
    const first = await freshPg();
    const dbs = [first];
    while (dbs.length < n) dbs.push(await freshPg(first.schema));
    const stores: PgAlertStore[] = [];
    for (const db of dbs) stores.push(await PgAlertStore.open(db));
    closers.push(async () => {
      for (const s of stores) await s.close();
      for (const db of dbs) await db.close();
    });
    return Object.assign(stores, { schema: first.schema });
  };

  it('accepts one alert sent to two replicas at once exactly once', async () => {
    const [one, two] = (await replicas(2)) as unknown as [PgAlertStore, PgAlertStore];
    for (let i = 0; i < 20; i++) {
      const a = c2Alert({ hostname: `race-${i}.corp.test`, hostIp: `10.7.0.${i}`, remoteIp: `192.0.2.${100 + i}` });
      const [x, y] = await Promise.all([one.ingest([item(a)], policy()), two.ingest([item(a)], policy())]);
      const outcomes = [x.results[0]?.outcome, y.results[0]?.outcome].sort();
      assert.deepEqual(outcomes, ['duplicate', 'new'], `round ${i}`);
    }
    assert.equal(await one.countAlerts(), 20);
    assert.equal((await one.pendingCases()).length, 20, 'one case and one outbox row each');
  });

  it('puts alerts on one host sent to two replicas at once into one case, queued in commit order', async () => {
    const [one, two] = (await replicas(2)) as unknown as [PgAlertStore, PgAlertStore];
    const alerts = Array.from({ length: 30 }, (_, i) => c2Alert({ hostname: 'shared.corp.test', hostIp: '10.8.0.1', remoteIp: `198.51.100.${i}` }));
    const results = await Promise.all(alerts.map((a, i) => (i % 2 ? one : two).ingest([item(a)], policy(at(i)))));
    const cases = new Set(results.map((r) => r.results[0]?.caseId));
    assert.equal(cases.size, 1, `cases: ${[...cases].join(', ')}`);
    const caseId = [...cases][0] as string;
    assert.equal((await one.getCase(caseId))?.alertCount, 30);
    const rows = await one.pendingForCase(caseId, 100);
    assert.equal(rows.length, 30);
    assert.deepEqual(new Set(rows.map((r) => r.alertId)), new Set(alerts.map((a) => a.id)));
  });

  it('tells every other replica at commit which cases have alerts to send', async () => {
    const [one, two] = (await replicas(2)) as unknown as [PgAlertStore, PgAlertStore];
    const heard: string[] = [];
    two.watchQueued((ids) => heard.push(...ids));
    await new Promise((r) => setTimeout(r, 200)); // LISTEN is under way
    const a = c2Alert({ hostname: 'told.corp.test' });
    const caseId = (await one.ingest([item(a)], policy())).results[0]?.caseId as string;
    const deadline = Date.now() + 5000;
    while (!heard.includes(caseId) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(heard, [caseId]);
    await one.ingest([item(a)], policy(at(10))); // a re-send queues nothing: nobody is told
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(heard, [caseId]);
  });

  it('outlives its connections being cut: a cut transaction fails, nothing throws, the watcher listens again', async () => {
    const [one, two] = (await replicas(2)) as unknown as [PgAlertStore, PgAlertStore];
    const admin = await freshPg();
    closers.push(() => admin.close());
    const crashes: unknown[] = [];
    const onCrash = (err: unknown) => void crashes.push(err);
    process.on('uncaughtException', onCrash);
    try {
      const heard: string[] = [];
      two.watchQueued((ids) => heard.push(...ids));
      const cut = async (what: string) => {
        for (let i = 0; i < 50; i++) {
          const r = await admin.rows<{ ok: boolean }>("SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE query LIKE $1 AND pid <> pg_backend_pid()", [what]);
          if (r.length > 0) return;
          await new Promise((res) => setTimeout(res, 50));
        }
        assert.fail(`no connection running ${what}`);
      };
      // As PostgreSQL restarting does to a replica mid-transaction.
      const db = await freshPg();
      closers.push(() => db.close());
      // Its failure is expected from the start (a rejection nobody awaits yet would fail the test).
      const running = assert.rejects(db.transaction((tx) => tx.query('SELECT pg_sleep(30)')), /terminat|Connection|ECONNRESET/i);
      await cut('%pg_sleep(30)%');
      await running;
      await cut('LISTEN %');
      await new Promise((r) => setTimeout(r, 1500)); // the watcher's reconnect wait
      assert.deepEqual(crashes, [], 'no connection error reached the process');
      const a = c2Alert({ hostname: 'after-cut.corp.test' });
      const caseId = (await one.ingest([item(a)], policy())).results[0]?.caseId as string;
      const deadline = Date.now() + 5000;
      while (!heard.includes(caseId) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(heard, [caseId], 'the watcher hears commits again after its connection was cut');
    } finally {
      process.off('uncaughtException', onCrash);
    }
  });

  it('lets one replica at a time dispatch a case: the other sees nothing of it until the lease lapses', async () => {
    const pair = await replicas(2);
    const [one, two] = pair as unknown as [PgAlertStore, PgAlertStore];
    const a = c2Alert({ hostname: 'leased.corp.test' });
    const caseId = (await one.ingest([item(a)], policy())).results[0]?.caseId as string;
    assert.equal((await one.pendingForCase(caseId, 10)).length, 1, 'the first to ask takes the lease');
    assert.deepEqual(await two.pendingForCase(caseId, 10), [], 'the other replica gets nothing');
    assert.equal(await two.waitingForDispatch(caseId), true, 'though it knows the case waits');
    // The holder died: its lease lapses, and the other replica takes the case over.
    const db = await freshPg(pair.schema);
    closers.push(() => db.close());
    await db.query("UPDATE dispatch_leases SET until = now() - interval '1 second'");
    assert.deepEqual((await two.pendingForCase(caseId, 10)).map((r) => r.alertId), [a.id]);
    assert.deepEqual(await one.pendingForCase(caseId, 10), [], 'and now the first one waits');
  });
});
