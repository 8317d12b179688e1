// Every alert source, on payloads written from its documented format — the documented example,
// realistic variants, and malformed ones — read exactly as the API reads them.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import { alertHost, alertRemote, type Observable } from '../../core/alert.ts';
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
const values = (n: Normalized, type: string) => n.alert.observables.filter((o) => o.type === type).map((o) => o.value);
/** What the "malware on endpoint" playbook routes on: a file hash and an internal host. */
const routesAsMalwareOnEndpoint = (n: Normalized) => {
  assert.ok(values(n, 'hash').length > 0, `a hash in ${JSON.stringify(n.alert.observables)}`);
  const host = alertHost(n.alert);
  assert.ok(host.hostname || host.ip, `a src host in ${JSON.stringify(n.alert.observables)}`);
};

describe('the IOC sweep\u2019s own source (hunt)', () => {
  const sighting = (o: Record<string, unknown> = {}) => ({ indicator: { type: 'ip', value: '203.0.113.7', source: 'misp' }, at: '2026-11-28T09:41:12Z', host: '10.0.1.23', backend: 'logstore', where: 'squid access.log', excerpt: '… 203.0.113.7 …', ...o });
  it('makes a sighting an alert: the host on the source side, the indicator on the far side, High for an analyst\u2019s indicator', () => {
    const [feed, analyst, hash] = read('hunt', JSON.stringify({ sweepId: 's1', sightings: [sighting(), sighting({ indicator: { type: 'domain', value: 'Evil.test', source: 'analyst' } }), sighting({ indicator: { type: 'hash', value: 'a'.repeat(64), source: 'otx' }, host: 'web-1' })] }));
    const f = ok(feed);
    assert.equal(f.alert.severity_id, 3);
    assert.deepEqual(f.alert.observables, [{ type: 'ip', value: '203.0.113.7', role: 'dst' }, { type: 'ip', value: '10.0.1.23', role: 'src' }]);
    assert.equal(f.alert.rule?.uid, 'riposte:ioc-sweep');
    assert.equal(ok(analyst).alert.severity_id, 4);
    assert.deepEqual(ok(analyst).alert.observables[0], { type: 'domain', value: 'evil.test', role: 'dst' });
    assert.deepEqual(ok(hash).alert.observables, [{ type: 'hash', value: 'a'.repeat(64) }, { type: 'hostname', value: 'web-1', role: 'src' }]);
  });
  it('the same sighting in another sweep is the same alert; a bad one is refused with its path', () => {
    const a = ok(read('hunt', JSON.stringify({ sweepId: 's1', sightings: [sighting()] }))[0]);
    const b = ok(read('hunt', JSON.stringify({ sweepId: 's2', sightings: [sighting()] }))[0]);
    assert.equal(a.alert.sourceUid, b.alert.sourceUid);
    const [bad] = read('hunt', JSON.stringify({ sweepId: 's3', sightings: [sighting({ indicator: { type: 'email', value: 'x@y.test', source: 'misp' } })] }));
    assert.ok(bad && 'errors' in bad && bad.errors.some((e) => e.path.endsWith('indicator.type')));
  });
});

describe('alert source adapters', () => {
  it('every source reads its own documented example into a native alert', () => {
    assert.equal(SOURCES.length, 12);
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

  it('guardduty: instance credentials used outside AWS — the assumed role behind the ASIA key, in its account and region', () => {
    const n = ok(read('guardduty', fixture('guardduty-iam-exfiltration.json'))[0]);
    assert.equal(n.alert.rule?.name, 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS');
    assert.deepEqual(n.alert.cloud, { provider: 'aws', account: '123456789012', region: 'us-east-1' });
    assert.deepEqual(n.alert.principal, { type: 'role', name: 'web-instance-role', accessKeyId: 'ASIAEXAMPLE7ABCDEFGH' });
  });

  it('guardduty: an IAM user\'s AKIA key called from a malicious IP — the user, the key and the caller', () => {
    const n = ok(read('guardduty', fixture('guardduty-iam-malicious-ip-caller.json'))[0]);
    assert.equal(n.alert.rule?.name, 'Recon:IAMUser/MaliciousIPCaller');
    assert.equal(n.alert.severity_id, 3);
    assert.equal(n.occurrences, 4);
    assert.deepEqual(n.alert.cloud, { provider: 'aws', account: '123456789012', region: 'eu-west-1' });
    assert.deepEqual(n.alert.principal, { type: 'user', name: 'ci-deploy', accessKeyId: 'AKIAEXAMPLE2DEPLOYBT' });
    assert.deepEqual(n.alert.observables, [
      { type: 'cloud_resource', value: 'AKIAEXAMPLE2DEPLOYBT', role: 'actor' },
      { type: 'user', value: 'ci-deploy', role: 'actor' },
      { type: 'ip', value: '198.51.100.23', role: 'actor' },
    ]);
  });

  it('guardduty: root credential usage is a root principal, and "Root" is not a user entity (it would join every Unix-root case)', () => {
    const n = ok(read('guardduty', fixture('guardduty-root-credential-usage.json'))[0]);
    assert.equal(n.alert.rule?.name, 'Policy:IAMUser/RootCredentialUsage');
    assert.equal(n.alert.severity_id, 2);
    assert.deepEqual(n.alert.cloud, { provider: 'aws', account: '123456789012', region: 'us-east-1' });
    assert.deepEqual(n.alert.principal, { type: 'root', name: 'Root', accessKeyId: 'ASIAEXAMPLEROOTSESS1' });
    has(n, 'cloud_resource', 'ASIAEXAMPLEROOTSESS1', 'actor');
    has(n, 'ip', '192.0.2.140', 'actor');
    assert.deepEqual(values(n, 'user'), []);
  });

  it('guardduty: an EC2 instance talking to a C&C server — the instance, its private address and name are the source, the server the destination', () => {
    const n = ok(read('guardduty', fixture('guardduty-ec2-c2-activity.json'))[0]);
    assert.equal(n.alert.rule?.name, 'Backdoor:EC2/C&CActivity.B');
    assert.equal(n.alert.severity_id, 4);
    assert.deepEqual(n.alert.cloud, { provider: 'aws', account: '123456789012', region: 'us-east-1' });
    assert.equal(n.alert.principal, undefined, 'no access key, no principal');
    has(n, 'cloud_resource', 'i-0b7c9d1e2f3a4b5c6', 'src');
    assert.deepEqual(alertHost(n.alert), { hostname: 'ip-10-0-2-57.ec2.internal', ip: '10.0.2.57' });
    assert.deepEqual(alertRemote(n.alert), { ips: ['203.0.113.99'], domains: [] });
    assert.ok(!values(n, 'ip').includes('198.51.100.200'), 'the public address is not read as an indicator');
  });

  it('guardduty: the documented example carries its account and region', () => {
    const n = ok(read('guardduty', JSON.stringify(sourceByName('guardduty')!.example))[0]);
    assert.deepEqual(n.alert.cloud, { provider: 'aws', account: '123456789012', region: 'us-east-1' });
    assert.equal(n.alert.principal, undefined);
  });

  it('guardduty: userType maps to the principal type; anything else is unknown, never a user', () => {
    const e = JSON.parse(fixture('guardduty-iam-malicious-ip-caller.json'));
    const typeOf = (userType: string) => {
      e.detail.resource.accessKeyDetails.userType = userType;
      return ok(read('guardduty', JSON.stringify(e))[0]).alert.principal?.type;
    };
    assert.deepEqual(['IAMUser', 'AssumedRole', 'Root', 'AWSService', 'FederatedUser', 'AWSAccount'].map(typeOf), ['user', 'role', 'root', 'service', 'unknown', 'unknown']);
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

  it('securityhub: a GuardDuty access-key finding in ASFF — principal from AwsIamAccessKey, key id from the resource id, the API caller', () => {
    const n = ok(read('securityhub', fixture('securityhub-guardduty-access-key.json'))[0]);
    assert.deepEqual(n.alert.cloud, { provider: 'aws', account: '123456789012', region: 'us-east-1' });
    assert.deepEqual(n.alert.principal, { type: 'role', name: 'web-instance-role', accessKeyId: 'ASIAEXAMPLE7ABCDEFGH' });
    assert.deepEqual(n.alert.observables, [
      { type: 'cloud_resource', value: 'ASIAEXAMPLE7ABCDEFGH', role: 'actor' },
      { type: 'user', value: 'web-instance-role', role: 'actor' },
      { type: 'ip', value: '198.51.100.44', role: 'actor' },
    ]);
  });

  it('securityhub: AccessKeyId in the details wins over the resource id; the region falls back to the resource\'s', () => {
    const e = JSON.parse(fixture('securityhub-guardduty-access-key.json'));
    const f = e.detail.findings[0];
    delete f.Region;
    f.Resources[0].Details.AwsIamAccessKey = { AccessKeyId: 'AKIAEXAMPLE2DEPLOYBT', PrincipalName: 'ci-deploy', PrincipalType: 'IAMUser' };
    const n = ok(read('securityhub', JSON.stringify(e))[0]);
    assert.deepEqual(n.alert.cloud, { provider: 'aws', account: '123456789012', region: 'us-east-1' });
    assert.deepEqual(n.alert.principal, { type: 'user', name: 'ci-deploy', accessKeyId: 'AKIAEXAMPLE2DEPLOYBT' });
    has(n, 'cloud_resource', 'AKIAEXAMPLE2DEPLOYBT', 'actor');
  });

  it('securityhub: an EC2 finding has its account and region and no principal', () => {
    const n = ok(read('securityhub', JSON.stringify(sourceByName('securityhub')!.example))[0]);
    assert.deepEqual(n.alert.cloud, { provider: 'aws', account: '123456789012', region: 'us-east-1' });
    assert.equal(n.alert.principal, undefined);
    has(n, 'cloud_resource', 'i-0a1b2c3d4e5f67890', 'src');
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

  describe('malware detections carry the file and the host', () => {
    it('crowdstrike DetectionSummaryEvent: SHA-256, MD5 and SHA-1; ComputerName and LocalIP as the source; the user; the process\'s remote address and domain as destinations', () => {
      const [legacy, epp] = read('crowdstrike', fixture('crowdstrike-malware-detections.json')).map(ok);
      assert.ok(legacy && epp);
      routesAsMalwareOnEndpoint(legacy);
      assert.equal(legacy.alert.severity_id, 5);
      assert.deepEqual(values(legacy, 'hash').sort(), [
        '275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f',
        '3395856ce81f2b7382dee72602f798b642f14140',
        '44d88612fea8a8f36de82e1278abb02f',
      ]);
      assert.deepEqual(alertHost(legacy.alert), { hostname: 'fin-ws-042', ip: '10.0.3.42' });
      has(legacy, 'user', 'j.doe');
      assert.deepEqual(alertRemote(legacy.alert), { ips: ['203.0.113.80'], domains: ['cdn-update.invoice-portal.test'] });
      assert.ok(!values(legacy, 'url').length && !legacy.alert.observables.some((o) => o.value.includes('Downloads')), 'the file path is not an observable');
    });

    it('crowdstrike EppDetectionSummaryEvent: Hostname, LocalIP and LocalIPv6 as the source; the all-zero SHA-1 is left out', () => {
      const epp = ok(read('crowdstrike', fixture('crowdstrike-malware-detections.json'))[1]);
      routesAsMalwareOnEndpoint(epp);
      assert.deepEqual(values(epp, 'hash').sort(), ['8c1a6e2b5f9d3a7c0e4b8f2d6a1c5e9b', 'c8a3ef2b3e8a1b7d9f0e4c6a2b5d8f1e3a7c9b0d2f4e6a8c1b3d5f7e9a0c2b4d']);
      assert.deepEqual(alertHost(epp.alert), { hostname: 'build-07', ip: '10.0.5.17' });
      has(epp, 'ip', 'fd00:5::17', 'src');
      has(epp, 'user', 'svc-build');
    });

    it('elastic: an Elastic Defend malware alert — file.hash.sha256/sha1/md5, host.name and host.ip as the source, the user', () => {
      const n = ok(read('elastic', fixture('elastic-malware-alert.json'))[0]);
      routesAsMalwareOnEndpoint(n);
      assert.equal(n.alert.severity_id, 5);
      assert.equal(n.alert.rule?.name, 'Malware Detection Alert');
      assert.deepEqual(values(n, 'hash').sort(), [
        '275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f',
        '3395856ce81f2b7382dee72602f798b642f14140',
        '44d88612fea8a8f36de82e1278abb02f',
      ]);
      assert.deepEqual(alertHost(n.alert), { hostname: 'fin-ws-042', ip: '10.0.3.42' });
      has(n, 'user', 'j.doe');
    });

    it('wazuh: a FIM "file added" alert gives the file\'s hashes, the agent as the source and (who-data) the user who wrote it', () => {
      const [fim] = read('wazuh', fixture('wazuh-fim-virustotal.ndjson')).map(ok);
      assert.ok(fim);
      routesAsMalwareOnEndpoint(fim);
      assert.deepEqual(values(fim, 'hash').sort(), ['4b7d2e9a1c6f3b8d0e5a2c7f9b1d4e6a8c3f5b20', '6f1ed002ab5595859014ebf0951522d9', '8a3f6c1e9b2d4f7a0c5e8b1d3f6a9c2e5b8d1f4a7c0e3b6d9f2a5c8e1b4d7f0a']);
      assert.deepEqual(alertHost(fim.alert), { hostname: 'web-3', ip: '10.0.1.33' });
      has(fim, 'user', 'www-data', 'actor');
    });

    it('wazuh: the VirusTotal integration\'s alert gives MD5 and SHA-1 from its source, and the SHA-256 from the permalink', () => {
      const vt = ok(read('wazuh', fixture('wazuh-fim-virustotal.ndjson'))[1]);
      routesAsMalwareOnEndpoint(vt);
      assert.equal(vt.alert.severity_id, 4);
      assert.equal(vt.alert.rule?.uid, '87105');
      assert.deepEqual(values(vt, 'hash').sort(), ['4b7d2e9a1c6f3b8d0e5a2c7f9b1d4e6a8c3f5b20', '6f1ed002ab5595859014ebf0951522d9', '8a3f6c1e9b2d4f7a0c5e8b1d3f6a9c2e5b8d1f4a7c0e3b6d9f2a5c8e1b4d7f0a']);
      assert.deepEqual(alertHost(vt.alert), { hostname: 'web-3', ip: '10.0.1.33' });
    });

    it('sentinel: a Defender malware incident — every FileHash, the Host and its internal Ip as the source, the Account, the remote Ip and domain as destinations', () => {
      const n = ok(read('sentinel', fixture('sentinel-malware-incident.json'))[0]);
      routesAsMalwareOnEndpoint(n);
      assert.deepEqual(values(n, 'hash').sort(), ['3c7e1a5f9b2d6c0e4a8f2b6d0c4e8a1f', '5e1a9c3b7d2f6e0a4c8b1d5f9e3a7c2b6d0f4e8a1c5b9d3f7e2a6c0b4d8f1e5a', '9f2c4d6e8a0b1c3d5e7f9a1b3c5d7e9f0a2b4c6d']);
      assert.deepEqual(alertHost(n.alert), { hostname: 'hr-ws-019', ip: '10.0.4.19' });
      has(n, 'user', 'm.rossi');
      assert.deepEqual(alertRemote(n.alert), { ips: ['203.0.113.145'], domains: ['smtp.mailer-invoice.test'] });
    });

    it('falco: a miner connection printed as fd.name and fd.rip — the node and its address as the source, the pool as the destination (Falco gives no file hash)', () => {
      const n = ok(read('falco', fixture('falco-miner-connection.json'))[0]);
      assert.equal(n.alert.severity_id, 5);
      assert.deepEqual(alertHost(n.alert), { hostname: 'k8s-node-4', ip: '10.0.6.21' });
      assert.deepEqual(alertRemote(n.alert), { ips: ['203.0.113.201'], domains: [] });
      has(n, 'user', 'root');
      has(n, 'cloud_resource', '4f2a9c1b7d3e', 'src');
      assert.deepEqual(values(n, 'hash'), []);
    });

    it('falco: an accepted connection puts the remote end on the source side; "<NA>" fields are absent, not errors', () => {
      const e = JSON.parse(fixture('falco-miner-connection.json'));
      e.output_fields = { 'evt.type': 'accept', 'fd.name': '203.0.113.9:51000->10.0.6.21:22', 'fd.rip': '203.0.113.9', 'fd.lip': '10.0.6.21', 'fd.sip.name': '<NA>', 'user.name': null };
      const n = ok(read('falco', JSON.stringify(e))[0]);
      has(n, 'ip', '203.0.113.9', 'src');
      has(n, 'ip', '10.0.6.21', 'dst');
      assert.deepEqual(values(n, 'domain'), []);
      assert.deepEqual(values(n, 'user'), []);
    });
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
