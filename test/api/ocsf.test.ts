import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alertHost, alertRemote } from '../../core/alert.ts';
import { alertIdFor } from '../../domain/entities.ts';
import { normalizeOcsf, NormalizationError } from '../../api/sources/ocsf.ts';
import type { OcsfDetectionFinding } from '../../api/schemas.ts';
import { fixture } from '../helpers/fixtures.ts';

describe('OCSF Detection Finding → native alert', () => {
  const finding = fixture<OcsfDetectionFinding>('ocsf/c2-beacon.json');

  it('reads time, severity, title, rule and the source uid', () => {
    const a = normalizeOcsf(finding);
    assert.equal(a.id, alertIdFor('ocsf', 'ndr-7f3a9c'));
    assert.equal(a.time, '2026-11-27T16:00:00.000Z');
    assert.equal(a.severity_id, 4);
    assert.equal(a.title, 'Outbound beacon to suspected C2');
    assert.deepEqual(a.rule, { name: 'Periodic beacon to rare domain', uid: 'ndr-rule-42' });
  });

  it('gathers entities from evidences and observables, typed and with roles, without repeats', () => {
    const a = normalizeOcsf(finding);
    assert.deepEqual(alertHost(a), { hostname: 'web-1.corp.test', ip: '10.20.0.5' });
    assert.deepEqual(alertRemote(a), { ips: ['203.0.113.7'], domains: ['c2-never-seen.test'] });
    assert.equal(a.observables.filter((o) => o.value === 'c2-never-seen.test').length, 1);
  });

  it('the same finding always gets the same id; another source or uid another', () => {
    assert.equal(normalizeOcsf(finding).id, normalizeOcsf(structuredClone(finding)).id);
    assert.notEqual(alertIdFor('ocsf', 'a'), alertIdFor('ocsf', 'b'));
    assert.notEqual(alertIdFor('ocsf', 'a'), alertIdFor('suricata', 'a'));
  });

  it('an IP observable that is not an IP is refused with its path', () => {
    const bad = structuredClone(finding);
    bad.observables = [{ name: 'dst_endpoint.ip', type_id: 2, value: '999.1.1.1' }];
    assert.throws(() => normalizeOcsf(bad), (e: unknown) => e instanceof NormalizationError && e.errors[0]?.path === 'observables[0].value');
  });
});
