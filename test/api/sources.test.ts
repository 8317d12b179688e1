// Every alert source, on payloads written from its documented format — the documented example,
// realistic variants, and malformed ones — read exactly as the API reads them.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import type { Observable } from '../../core/alert.ts';
import { readPayload, type ReadItem } from '../../api/ingest/accept.ts';
import { SOURCES, sourceByName } from '../../api/sources/index.ts';
import type { Normalized } from '../../api/sources/types.ts';

const fixture = (name: string) => fs.readFileSync(new URL(`../fixtures/sources/${name}`, import.meta.url), 'utf8');

function read(source: string, text: string): ReadItem[] {
  const out = readPayload(sourceByName(source)!, text);
  if ('problem' in out) throw new Error(`refused whole: ${JSON.stringify(out.problem.body)}`);
  return out.items;
}
function ok(item: ReadItem | undefined): Normalized {
  assert.ok(item && 'normalized' in item, `expected a readable item, got ${JSON.stringify(item)}`);
  return item.normalized;
}
const has = (n: Normalized, type: string, value: string, role?: string) =>
  assert.ok(
    n.alert.observables.some((o: Observable) => o.type === type && o.value === value && (role === undefined || o.role === role)),
    `${type} ${value}${role ? ` (${role})` : ''} in ${JSON.stringify(n.alert.observables)}`
  );

describe('alert source adapters', () => {
  it('every source reads its own documented example into a native alert', () => {
    assert.equal(SOURCES.length, 11);
    for (const s of SOURCES) {
      const items = read(s.name, JSON.stringify(s.example));
      const n = ok(items[0]);
      assert.ok(n.alert.sourceUid, `${s.name}: a source id`);
      assert.ok(!Number.isNaN(Date.parse(n.alert.time)), `${s.name}: a time`);
      assert.ok(n.alert.title && n.alert.rule?.name, `${s.name}: a title and rule`);
      assert.ok(n.alert.observables.length > 0, `${s.name}: observables`);
    }
  });

  it('guardduty: a C&C DNS finding names the instance, its address and the domain; the count is kept', () => {
    const n = ok(read('guardduty', JSON.stringify(sourceByName('guardduty')!.example))[0]);
    assert.equal(n.alert.severity_id, 4);
    assert.equal(n.alert.rule?.name, 'Backdoor:EC2/C&CActivity.B!DNS');
    assert.equal(n.occurrences, 3);
    has(n, 'cloud_resource', 'i-0a1b2c3d4e5f67890', 'src');
    has(n, 'ip', '10.0.1.23', 'src');
    has(n, 'domain', 'c2-never-seen.test', 'dst');
  });

  it('guardduty: credential exfiltration names the access key, the role user and the remote caller', () => {
    const n = ok(read('guardduty', fixture('guardduty-iam-exfiltration.json'))[0]);
    has(n, 'cloud_resource', 'ASIAEXAMPLE7ABCDEFGH', 'actor');
    has(n, 'user', 'web-instance-role', 'actor');
    has(n, 'ip', '198.51.100.44', 'actor');
  });

  it('guardduty: a wrong envelope or a missing id is refused with the path', () => {
    const bad = JSON.parse(JSON.stringify(sourceByName('guardduty')!.example));
    delete bad.detail.id;
    bad['detail-type'] = 'AWS API Call via CloudTrail';
    const item = read('guardduty', JSON.stringify(bad))[0];
    assert.ok(item && 'errors' in item);
    assert.deepEqual(item.errors.map((e) => e.path).sort(), ['event.detail-type', 'event.detail.id']);
  });

  it('securityhub: every finding is its own alert, and a bad one does not block the good one', () => {
    const items = read('securityhub', fixture('securityhub-two-findings-one-bad.json'));
    assert.equal(items.length, 2);
    const n = ok(items[0]);
    assert.equal(n.alert.severity_id, 5);
    has(n, 'cloud_resource', 'i-0fedcba9876543210');
    has(n, 'ip', '203.0.113.66', 'dst');
    const bad = items[1];
    assert.ok(bad && 'errors' in bad);
    assert.ok(bad.errors.some((e) => e.path === 'detail.findings[1].Id' && e.message === 'is required'));
    assert.ok(bad.errors.some((e) => e.path === 'detail.findings[1].UpdatedAt'));
  });

  it('suricata: NDJSON straight from eve.json — alerts read, a flow event and a broken line refused each on its own', () => {
    const items = read('suricata', fixture('suricata-eve.ndjson'));
    assert.equal(items.length, 4);
    const dns = ok(items[0]);
    assert.equal(dns.alert.severity_id, 4);
    assert.equal(dns.alert.rule?.uid, '1:9000001:1');
    has(dns, 'ip', '10.0.1.23', 'src');
    has(dns, 'domain', 'x.c2-never-seen.test', 'dst');
    const flow = items[1];
    assert.ok(flow && 'errors' in flow && /must be "alert"/.test(flow.errors[0]?.message ?? ''));
    has(ok(items[2]), 'domain', 'c2-never-seen.test', 'dst');
    const broken = items[3];
    assert.ok(broken && 'errors' in broken && broken.errors[0]?.path === 'line 4');
  });

  it('alertmanager: each alert in the webhook is one; resolved notifications carry their status; other versions are refused', () => {
    const firing = ok(read('alertmanager', JSON.stringify(sourceByName('alertmanager')!.example))[0]);
    assert.equal(firing.status, 'firing');
    assert.equal(firing.alert.severity_id, 4);
    has(firing, 'ip', '10.0.1.23', 'src');
    has(firing, 'ip', '203.0.113.7', 'dst');
    const resolved = ok(read('alertmanager', fixture('alertmanager-resolved.json'))[0]);
    assert.equal(resolved.status, 'resolved');
    assert.equal(resolved.alert.sourceUid, firing.alert.sourceUid, 'firing and resolved are the same alert');
    const v3 = readPayload(sourceByName('alertmanager')!, JSON.stringify({ ...(sourceByName('alertmanager')!.example as object), version: '3' }));
    assert.ok('problem' in v3 && v3.problem.status === 422);
  });

  it('splunk: the result row gives the entities; a missing sid is refused', () => {
    const n = ok(read('splunk', JSON.stringify(sourceByName('splunk')!.example))[0]);
    assert.equal(n.alert.title, 'Outbound beacon to rare domain');
    has(n, 'ip', '10.0.1.23', 'src');
    has(n, 'ip', '203.0.113.7', 'dst');
    has(n, 'hostname', 'web-1', 'src');
    has(n, 'domain', 'c2-never-seen.test', 'dst');
    const item = read('splunk', JSON.stringify({ result: {}, search_name: 'x' }))[0];
    assert.ok(item && 'errors' in item && item.errors.some((e) => e.path === 'body.sid'));
  });

  it('elastic: dotted and nested documents and search hits read the same', () => {
    const dotted = ok(read('elastic', JSON.stringify(sourceByName('elastic')!.example))[0]);
    assert.equal(dotted.alert.severity_id, 4);
    has(dotted, 'domain', 'c2-never-seen.test', 'dst');
    const hit = ok(read('elastic', fixture('elastic-search-hit.json'))[0]);
    assert.equal(hit.alert.sourceUid, '5f1e9a0c7b3d2e4f');
    assert.equal(hit.alert.severity_id, 5);
    assert.equal(hit.alert.time, '2026-11-27T11:11:40.000Z', 'the original event time');
    has(hit, 'hostname', 'finance-7', 'src');
    has(hit, 'ip', 'fe80::1', 'src');
    has(hit, 'hash', 'de96a6e69944335375dc1ac238336066889d9ffc7d73628ef4fe1b1b160ab32c');
  });

  it('sentinel: the ARM incident and the automation trigger; related entities become observables', () => {
    const arm = ok(read('sentinel', JSON.stringify(sourceByName('sentinel')!.example))[0]);
    assert.equal(arm.alert.severity_id, 4);
    has(arm, 'hostname', 'web-1', 'src');
    has(arm, 'ip', '203.0.113.7', 'dst');
    const trigger = ok(read('sentinel', fixture('sentinel-automation-trigger.json'))[0]);
    assert.equal(trigger.alert.sourceUid, '0ddb580f-efd0-4076-bb77-77e9aef8a187');
    assert.equal(trigger.alert.severity_id, 3);
    has(trigger, 'user', 'j.doe', 'actor');
    has(trigger, 'url', 'https://login.example-phish.test/owa', 'dst');
    has(trigger, 'hash', 'de96a6e69944335375dc1ac238336066889d9ffc7d73628ef4fe1b1b160ab32c');
  });

  it('crowdstrike: both detection events; Epp severity 0–100 and legacy 1–5 map to OCSF; other events refused', () => {
    const epp = ok(read('crowdstrike', JSON.stringify(sourceByName('crowdstrike')!.example))[0]);
    assert.equal(epp.alert.severity_id, 4);
    has(epp, 'hostname', 'web-1', 'src');
    has(epp, 'domain', 'c2-never-seen.test', 'dst');
    const legacy = ok(read('crowdstrike', fixture('crowdstrike-detection-summary.json'))[0]);
    assert.equal(legacy.alert.sourceUid, 'ldt:sensorid123:4242');
    assert.equal(legacy.alert.severity_id, 4);
    has(legacy, 'ip', '203.0.113.7', 'dst');
    has(legacy, 'hash', '0b2cde5b355bda69aeb15159fa98b5554053f0936259a53c6dfb0934389238a2');
    const other = read('crowdstrike', JSON.stringify({ metadata: { eventType: 'AuthActivityAuditEvent', eventCreationTime: 1 }, event: {} }))[0];
    assert.ok(other && 'errors' in other && /DetectionSummaryEvent/.test(other.errors[0]?.message ?? ''));
  });

  it('wazuh: an SSH brute force names the attacker as source and the agent as target; a log without a rule is refused', () => {
    const n = ok(read('wazuh', JSON.stringify(sourceByName('wazuh')!.example))[0]);
    assert.equal(n.alert.severity_id, 3);
    assert.equal(n.alert.sourceUid, 'wazuh-manager/1795827062.1184502');
    has(n, 'ip', '198.51.100.77', 'src');
    has(n, 'hostname', 'bastion-1', 'target');
    const item = read('wazuh', fixture('wazuh-not-an-alert.json'))[0];
    assert.ok(item && 'errors' in item);
    assert.deepEqual(item.errors.map((e) => e.path).sort(), ['alert.id', 'alert.rule.description', 'alert.rule.id', 'alert.rule.level']);
  });

  it('falco: the connection ends become source and destination; nanosecond times are read', () => {
    const n = ok(read('falco', JSON.stringify(sourceByName('falco')!.example))[0]);
    assert.equal(n.alert.severity_id, 3);
    assert.equal(n.alert.time, '2026-11-27T10:12:03.123Z');
    has(n, 'ip', '203.0.113.7', 'dst');
    has(n, 'user', 'www-data', 'actor');
  });

  it('a payload that is not JSON at all is refused whole with 400', () => {
    const out = readPayload(sourceByName('guardduty')!, '{"detail-type": "GuardDuty');
    assert.ok('problem' in out && out.problem.status === 400);
  });
});

describe('suricata: a flow_id that is not a number', () => {
  it('is refused with its path, not a crash (found by the fuzzer: {"toString": false})', () => {
    const adapter = sourceByName('suricata')!;
    const event = { ...(structuredClone(adapter.example) as Record<string, unknown>), flow_id: { toString: false } };
    const read = readPayload(adapter, JSON.stringify(event));
    assert.ok('items' in read);
    const item = read.items[0]!;
    assert.ok('errors' in item, JSON.stringify(item));
    assert.deepEqual(item.errors.map((e) => e.path), ['event.flow_id']);
  });
});
