// Every alert is held to ALERT_LIMITS whichever source sent it: a 100 kB title, a 10 kB rule
// name and thousands of entities are accepted (202), and the alert as stored keeps each cap and
// nothing else — through HTTP into a real SQLite alert store, for every source Riposte reads.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import os from 'node:os';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { ALERT_LIMITS, type Observable } from '../../core/alert.ts';
import { boundedAlert, boundId, cutText } from '../../api/ingest/accept.ts';
import { SOURCES, sourceByName } from '../../api/sources/index.ts';
import type { Normalized } from '../../api/sources/types.ts';
import { loadConfig } from '../../config/index.ts';
import { startApi, TOKENS, type TestApi } from '../helpers/api.ts';
import { testClient, uniqueQueue } from '../helpers/temporal.ts';

const BIG_TITLE = `Title ${'t'.repeat(100 * 1024)}`;
const BIG_RULE = `Rule ${'r'.repeat(10 * 1024)}`;
const MANY = 5000;
/** 198.18.0.0/15, the benchmarking range: MANY distinct public-looking addresses. */
const ip = (i: number) => `198.18.${Math.floor(i / 256)}.${i % 256}`;
const many = <T>(f: (i: number) => T): T[] => Array.from({ length: MANY }, (_, i) => f(i));
const LONG_URL = `https://files.example-cdn.test/${'a'.repeat(3000)}`;

/**
 * Each source's documented example, stretched where its format allows: the fields its title and
 * rule name come from (one field for some sources), and a list it reads entities from.
 */
const STRETCH: Record<string, (e: any) => void> = {
  guardduty: (e) => {
    e.detail.title = BIG_TITLE;
    e.detail.type = BIG_RULE;
    e.detail.resource.instanceDetails.networkInterfaces = many((i) => ({ privateIpAddress: ip(i) }));
  },
  securityhub: (e) => {
    const f = e.detail.findings[0];
    f.Title = BIG_TITLE;
    f.Types = [BIG_RULE];
    f.Resources = many((i) => ({ Type: 'AwsEc2Instance', Id: `arn:aws:ec2:us-east-1:123456789012:instance/i-${i.toString(16).padStart(17, '0')}` }));
  },
  suricata: (e) => {
    e.alert.signature = BIG_TITLE;
    e.dns.query = many((i) => ({ type: 'query', rrname: `h${i}.many.test`, rrtype: 'A' }));
  },
  alertmanager: (e) => {
    e.alerts[0].annotations.summary = BIG_TITLE;
    e.alerts[0].labels.alertname = BIG_RULE;
  },
  splunk: (e) => {
    e.search_name = BIG_TITLE;
    e.result.url = LONG_URL;
    e.result.query = many((i) => `h${i}.many.test`); // a multivalue field
  },
  elastic: (e) => {
    e['kibana.alert.reason'] = BIG_TITLE;
    e['kibana.alert.rule.name'] = BIG_RULE;
    e.destination.ip = many(ip);
  },
  sentinel: (e) => {
    e.properties.title = BIG_TITLE;
    e.properties.relatedEntities = many((i) => ({ kind: 'Ip', properties: { address: ip(i) } }));
  },
  crowdstrike: (e) => {
    e.event.Description = BIG_TITLE;
    e.event.Name = BIG_RULE;
    e.event.NetworkAccesses = many((i) => ({ RemoteAddress: ip(i), RemotePort: 443, ConnectionDirection: 0 }));
  },
  wazuh: (e) => {
    e.rule.description = BIG_TITLE;
  },
  falco: (e) => {
    e.output = BIG_TITLE;
    e.rule = BIG_RULE;
  },
  // Riposte's own sweep: the title names the indicator and the rule its source, so a huge URL
  // makes a huge title and a huge source name a huge rule name.
  hunt: (e) => {
    e.sightings[0].indicator = { type: 'url', value: `http://sweep.test/${'a'.repeat(100_000)}`, source: `feed-${'f'.repeat(10_000)}` };
  },
  // The native format says its own limits (the OpenAPI schema), so a finding is built to them:
  // the longest title and rule name it allows, and more entities than an alert may keep —
  // 200 unroled observables listed before 100 evidences' worth of roled ones.
  ocsf: (e) => {
    e.finding_info.title = 'T'.repeat(512);
    e.finding_info.analytic.name = 'R'.repeat(256);
    e.observables = Array.from({ length: 200 }, (_, i) => ({ name: 'file.hash', type_id: 8, value: createHash('sha256').update(String(i)).digest('hex') }));
    e.evidences = Array.from({ length: 100 }, (_, i) => ({
      src_endpoint: { ip: `10.1.${i}.1`, hostname: `host-${i}` },
      dst_endpoint: { ip: ip(i) },
      query: { hostname: `h${i}.many.test` },
      actor: { user: { name: `user-${i}` } },
    }));
  },
};

/** The reading the adapter gives without limits, to compare the stored alert with. */
function unbounded(source: string, body: string): Normalized {
  const adapter = sourceByName(source)!;
  const [item] = adapter.items(JSON.parse(body), body);
  return adapter.normalize(item!.value);
}

/** The rule, restated: values cut, repeats removed, then roled ones first, in their order. */
function expectedObservables(all: Observable[]): Observable[] {
  const seen = new Set<string>();
  const cut = all
    .map((o) => (o.value.length > ALERT_LIMITS.observableValue ? { ...o, value: `${o.value.slice(0, ALERT_LIMITS.observableValue - 1)}…` } : o))
    .filter((o) => {
      const key = JSON.stringify([o.type, o.role, o.value]);
      return seen.has(key) ? false : (seen.add(key), true);
    });
  const keep = new Set([...cut.filter((o) => o.role), ...cut.filter((o) => !o.role)].slice(0, ALERT_LIMITS.observables));
  return cut.filter((o) => keep.has(o));
}

const cutTo = (v: string, max: number) => (v.length > max ? `${v.slice(0, max - 1)}…` : v);
const sha256 = (v: string) => createHash('sha256').update(v).digest('hex');

describe('alert size limits, for every source', () => {
  let client: Client;
  let closeClient: () => Promise<void>;
  let api: TestApi;

  before(async () => {
    ({ client, close: closeClient } = await testClient());
    // The production body limit (RIPOSTE_MAX_BODY_BYTES), not the small one other API tests use.
    api = await startApi({ client, taskQueue: uniqueQueue('limits'), maxBodyBytes: loadConfig({ RIPOSTE_DATA_DIR: os.tmpdir() }).maxBodyBytes });
  });
  after(async () => {
    await api?.close();
    await closeClient?.();
  });

  const post = (source: string, body: string) =>
    api.request('POST', `/v1/alerts/${source}`, { raw: body, headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKENS.source}` } });
  const stored = async (alertId: string) => (await api.request('GET', `/v1/alerts/${alertId}`, { token: TOKENS.analyst })).body;

  it('every source has a stretched payload here', () => {
    assert.deepEqual(Object.keys(STRETCH).sort(), SOURCES.map((s) => s.name).sort());
  });

  for (const source of SOURCES) {
    it(`${source.name}: a huge title, rule name and entity list → 202, and the stored alert is held to every limit and otherwise unchanged`, async () => {
      const payload = structuredClone(source.example) as any;
      STRETCH[source.name]!(payload);
      const body = JSON.stringify(payload);
      const want = unbounded(source.name, body).alert;

      const res = await post(source.name, body);
      assert.equal(res.status, 202, JSON.stringify(res.body).slice(0, 500));
      assert.equal(res.body.results[0].outcome, 'new');
      const got = await stored(res.body.results[0].alertId);

      // Text: cut with a trailing "…".
      assert.ok(got.title.length <= ALERT_LIMITS.title);
      assert.equal(got.title, cutTo(want.title, ALERT_LIMITS.title));
      assert.ok(got.rule.name.length <= ALERT_LIMITS.ruleName);
      assert.equal(got.rule.name, cutTo(want.rule!.name, ALERT_LIMITS.ruleName));
      if (source.name !== 'ocsf') assert.ok(got.title.endsWith('…') && got.rule.name.endsWith('…'), 'the stretched text was cut');

      // A rule id too long is shortened like a source id: its head and the digest of the whole.
      if (want.rule?.uid && want.rule.uid.length > ALERT_LIMITS.ruleName) {
        assert.ok(got.rule.uid.length <= ALERT_LIMITS.ruleName);
        assert.ok(got.rule.uid.startsWith(want.rule.uid.slice(0, 100)) && got.rule.uid.endsWith(sha256(want.rule.uid)));
      } else assert.equal(got.rule.uid, want.rule?.uid);

      // Observables: at most 200, none longer than 2048, roled ones kept first.
      assert.ok(got.observables.length <= ALERT_LIMITS.observables);
      assert.ok(got.observables.every((o: Observable) => o.value.length <= ALERT_LIMITS.observableValue));
      assert.deepEqual(got.observables, expectedObservables(want.observables));
      if (want.observables.length >= MANY || source.name === 'ocsf') {
        assert.equal(got.observables.length, ALERT_LIMITS.observables, `${want.observables.length} read, 200 kept`);
      }

      // Nothing else changes.
      assert.equal(got.source, source.name);
      assert.equal(got.sourceUid, want.sourceUid);
      assert.equal(got.time, want.time);
      assert.equal(got.severity_id, want.severity_id);
      assert.deepEqual(got.cloud, want.cloud);
      assert.deepEqual(got.principal, want.principal);
    });
  }

  it('the observables that were read beyond the cap were real: the stretched payloads hold thousands', () => {
    for (const name of ['guardduty', 'securityhub', 'suricata', 'splunk', 'elastic', 'sentinel', 'crowdstrike']) {
      const payload = structuredClone(sourceByName(name)!.example) as any;
      STRETCH[name]!(payload);
      assert.ok(unbounded(name, JSON.stringify(payload)).alert.observables.length >= MANY, name);
    }
  });

  it('an over-long observable value is cut with "…" and still names its host', async () => {
    const payload = structuredClone(sourceByName('splunk')!.example) as any;
    STRETCH.splunk!(payload);
    payload.sid = 'limits-long-url';
    const res = await post('splunk', JSON.stringify(payload));
    const url = (await stored(res.body.results[0].alertId)).observables.find((o: Observable) => o.type === 'url');
    assert.equal(url.value.length, ALERT_LIMITS.observableValue);
    assert.ok(url.value.startsWith('https://files.example-cdn.test/aaa') && url.value.endsWith('…'));
  });

  it('ocsf: its schema refuses text longer than the limits (422 naming the field) instead of cutting it', async () => {
    const payload = structuredClone(sourceByName('ocsf')!.example) as any;
    payload.finding_info.title = BIG_TITLE;
    const res = await post('ocsf', JSON.stringify(payload));
    assert.equal(res.status, 422);
    assert.ok(res.body.errors.some((e: { path: string }) => e.path === 'finding.finding_info.title'), JSON.stringify(res.body.errors));
  });

  it('a source id longer than 512 is kept apart by its digest: two ids sharing their first 600 characters are two alerts; a re-send is a duplicate', async () => {
    // Each on its own host, so that B is not counted as a repeat of A (same rule, same entities).
    const finding = (uid: string) => ({ ...(structuredClone(sourceByName('elastic')!.example) as object), 'kibana.alert.uuid': uid, host: { name: `web-${uid.slice(-1)}` } });
    const head = 'u'.repeat(600);
    const a = await post('elastic', JSON.stringify(finding(`${head}A`)));
    const b = await post('elastic', JSON.stringify(finding(`${head}B`)));
    const again = await post('elastic', JSON.stringify(finding(`${head}A`)));
    assert.deepEqual([a.status, b.status], [202, 202]);
    assert.deepEqual([a.body.results[0].outcome, b.body.results[0].outcome], ['new', 'new']);
    assert.notEqual(b.body.results[0].alertId, a.body.results[0].alertId);
    assert.equal(again.body.results[0].outcome, 'duplicate');
    assert.equal(again.body.results[0].alertId, a.body.results[0].alertId);
    const got = await stored(a.body.results[0].alertId);
    assert.ok(got.sourceUid.length <= ALERT_LIMITS.sourceUid);
    assert.ok(got.sourceUid.startsWith('uuuu') && got.sourceUid.endsWith(sha256(`${head}A`)));
  });
});

describe('the limits, as rules', () => {
  const alert = (over: Partial<Normalized['alert']>): Normalized => ({
    alert: { sourceUid: 'x', time: '2026-11-27T00:00:00.000Z', severity_id: 3, title: 't', rule: { name: 'r' }, observables: [], ...over },
  });

  it('beyond 200 observables, those with a role are kept before those without, each in its order', () => {
    const hashes: Observable[] = Array.from({ length: 300 }, (_, i) => ({ type: 'hash', value: sha256(String(i)) }));
    const hosts: Observable[] = Array.from({ length: 10 }, (_, i) => ({ type: 'hostname', value: `host-${i}`, role: 'src' }));
    const kept = boundedAlert(alert({ observables: [...hashes, ...hosts] })).alert.observables;
    assert.equal(kept.length, 200);
    assert.deepEqual(kept, [...hashes.slice(0, 190), ...hosts]);
  });

  it('an alert within the limits is left as it is', () => {
    const n = alert({ title: 'x'.repeat(512), rule: { name: 'y'.repeat(256), uid: 'z'.repeat(256) }, sourceUid: 'u'.repeat(512), observables: [{ type: 'url', value: 'v'.repeat(2048), role: 'dst' }] });
    assert.deepEqual(boundedAlert(n), n);
  });

  it('text is never cut through a surrogate pair', () => {
    const title = cutText('😀'.repeat(600), ALERT_LIMITS.title);
    assert.ok(title.length <= ALERT_LIMITS.title && title.endsWith('…'));
    assert.equal(Buffer.from(title, 'utf8').toString('utf8'), title, 'no lone surrogate (it would not survive UTF-8)');
  });

  it('an over-long id keeps its head and the digest of the whole id, within the limit', () => {
    const id = boundId(`${'i'.repeat(1000)}-tail`, 512);
    assert.equal(id.length, 512);
    assert.ok(id.startsWith('iii') && id.endsWith(sha256(`${'i'.repeat(1000)}-tail`)));
    assert.equal(boundId('short', 512), 'short');
  });

  it('cloud identity strings are bounded like observable values', () => {
    const n = boundedAlert(alert({ cloud: { provider: 'aws', account: 'a'.repeat(5000) }, principal: { type: 'user', name: 'n'.repeat(5000) } }));
    assert.equal(n.alert.cloud?.account?.length, ALERT_LIMITS.observableValue);
    assert.equal(n.alert.principal?.name?.length, ALERT_LIMITS.observableValue);
    assert.equal(n.alert.principal?.type, 'user');
  });
});
