import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { FirstSeenStore } from '../../activities/dns/first-seen.ts';
import { createDnsActivities } from '../../activities/dns/index.ts';
import { startDnsmasq, type Dnsmasq } from '../helpers/dnsmasq.ts';
import { rejection, silentLogger, runActivity } from '../helpers/fixtures.ts';

describe('dns activities against a real resolver (dnsmasq on loopback)', () => {
  let dns: Dnsmasq;
  before(async () => {
    dns = await startDnsmasq({ 'c2-never-seen.test': '203.0.113.7' });
  });
  after(() => dns.stop());
  const env = new MockActivityEnvironment(undefined, { logger: silentLogger });

  it('resolves a domain and offers its addresses as related observables', async () => {
    const { dnsResolveDomain } = createDnsActivities({ servers: [dns.server], timeoutMs: 2000 });
    const out = await runActivity(env, dnsResolveDomain, { domain: 'x.c2-never-seen.test' });
    assert.ok(out.status === 'ok');
    assert.equal(out.verdict.found, true);
    assert.deepEqual(out.verdict.related, [{ type: 'ip', value: '203.0.113.7', role: 'dst' }]);
    assert.ok(dns.queries().includes('x.c2-never-seen.test'), 'the lookup reached dnsmasq');
  });

  it('answers NXDOMAIN as "does not resolve", not as an error', async () => {
    const { dnsResolveDomain } = createDnsActivities({ servers: [dns.server], timeoutMs: 2000 });
    const out = await runActivity(env, dnsResolveDomain, { domain: 'unknown.example' });
    assert.ok(out.status === 'ok');
    assert.equal(out.verdict.found, false);
    assert.equal(out.verdict.summary, 'does not resolve');
  });

  it('refuses a value that is not a domain name without sending a query', async () => {
    const { dnsResolveDomain } = createDnsActivities({ servers: [dns.server], timeoutMs: 2000 });
    const before = dns.queries().length;
    const err = await rejection(() => runActivity(env, dnsResolveDomain, { domain: 'evil.test;$(reboot)' }));
    assert.equal(err.type, 'InvalidObservableError');
    assert.equal(dns.queries().length, before);
  });

  it('fails retryably when the resolver does not answer', async () => {
    const { dnsResolveDomain } = createDnsActivities({ servers: ['127.0.0.1:9'], timeoutMs: 200 });
    const err = await rejection(() => runActivity(env, dnsResolveDomain, { domain: 'c2-never-seen.test' }));
    assert.equal(err.type, 'IntegrationUnavailableError');
    assert.equal(err.nonRetryable, false);
  });
});

describe('the first-seen store: has this domain ever been seen before?', () => {
  const env = new MockActivityEnvironment(undefined, { logger: silentLogger });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'riposte-first-seen-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('records a domain once as new, counts later sightings, and survives a reopened file', async () => {
    const file = path.join(dir, 'first-seen.db');
    const store = new FirstSeenStore(file);
    const acts = createDnsActivities({ timeoutMs: 1000, firstSeen: store });
    const never = await runActivity(env, acts.dnsFirstSeen, { domain: 'c2-never-seen.test' });
    assert.deepEqual(never, { domain: 'c2-never-seen.test', seen: false });

    const first = await runActivity(env, acts.dnsRecordSighting, { domain: 'C2-Never-Seen.test.', source: 'suricata', host: 'web-1', at: '2026-11-28T01:00:00Z', idempotencyKey: 'wf-1:sighting' });
    assert.ok(first.status === 'ok');
    assert.equal(first.isNew, true);
    assert.deepEqual(first.first, { at: '2026-11-28T01:00:00.000Z', source: 'suricata', host: 'web-1' });

    const later = await runActivity(env, acts.dnsRecordSighting, { domain: 'c2-never-seen.test', source: 'zeek', host: 'db-2', idempotencyKey: 'wf-2:sighting' });
    assert.ok(later.status === 'ok');
    assert.equal(later.isNew, false);
    assert.equal(later.sightings, 2);
    assert.equal(later.first.host, 'web-1', 'the first sighting stays the first');
    store.close();

    const reopened = createDnsActivities({ timeoutMs: 1000, firstSeen: new FirstSeenStore(file) });
    const seen = await runActivity(env, reopened.dnsFirstSeen, { domain: 'c2-never-seen.test' });
    assert.ok(seen.seen);
    assert.equal(seen.first.source, 'suricata');
  });

  it('answers a retried sighting (same key) exactly as the first attempt: new once, counted once', async () => {
    const acts = createDnsActivities({ timeoutMs: 1000, firstSeen: new FirstSeenStore(path.join(dir, 'retry.db')) });
    const input = { domain: 'fresh.test', source: 'ocsf', idempotencyKey: 'wf-9:sighting' };
    const a = await runActivity(env, acts.dnsRecordSighting, input);
    const b = await runActivity(env, acts.dnsRecordSighting, input);
    assert.deepEqual(b, a);
    assert.ok(a.status === 'ok' && a.isNew);
    const seen = await runActivity(env, acts.dnsFirstSeen, { domain: 'fresh.test' });
    assert.ok(seen.seen);
    assert.equal(seen.sightings, 1);
  });

  it('refuses a sighting without a key or with a bad time, and skips without a store', async () => {
    const acts = createDnsActivities({ timeoutMs: 1000, firstSeen: new FirstSeenStore(':memory:') });
    assert.equal((await rejection(() => runActivity(env, acts.dnsRecordSighting, { domain: 'a.test', source: 'x', idempotencyKey: '' }))).type, 'InvalidObservableError');
    assert.equal((await rejection(() => runActivity(env, acts.dnsRecordSighting, { domain: 'a.test', source: 'x', at: 'yesterday', idempotencyKey: 'k' }))).type, 'InvalidObservableError');
    const none = await runActivity(env, createDnsActivities({ timeoutMs: 1000 }).dnsRecordSighting, { domain: 'a.test', source: 'x', idempotencyKey: 'k' });
    assert.equal(none.status, 'skipped');
  });
});

describe('the first-seen store: alerts kept apart from sightings, and remembered verdicts', () => {
  const env = new MockActivityEnvironment(undefined, { logger: silentLogger });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'riposte-first-seen-alerts-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const at = (m: number) => new Date(Date.UTC(2026, 10, 30, 10, m)).toISOString();
  const seen = (domain: string, m: number, host = '10.0.0.5') => ({ domain, sighting: { at: at(m), source: 'dnsmasq q.log', host } });

  it('records a batch of log sightings: the earliest is the first, each is counted, and only new domains are queued for alerts', () => {
    const store = new FirstSeenStore(path.join(dir, 'batch.db'));
    assert.deepEqual(store.recordLogSightings([seen('old.test', 1)], { alert: false }), ['old.test'], 'baseline: recorded, not queued');
    assert.deepEqual(store.pendingAlerts(), []);
    const fresh = store.recordLogSightings([seen('new.test', 9, '10.0.0.9'), seen('old.test', 5), seen('new.test', 3, '10.0.0.7')], { alert: true, now: at(10) });
    assert.deepEqual(fresh, ['new.test']);
    assert.deepEqual(store.first('new.test'), { first: { at: at(3), source: 'dnsmasq q.log', host: '10.0.0.7' }, sightings: 2 });
    assert.equal(store.first('old.test')?.sightings, 2);
    assert.deepEqual(store.pendingAlerts().map((p) => [p.domain, p.first.host, p.attempts]), [['new.test', '10.0.0.7', 0]]);
    assert.deepEqual(store.alertState('old.test'), { state: 'none' });
    store.close();
  });

  it('a failed post leaves the alert queued (attempts counted, survives a reopened file); once posted it leaves the queue for good', () => {
    const file = path.join(dir, 'queue.db');
    const store = new FirstSeenStore(file);
    store.recordLogSightings([seen('c2.test', 1)], { alert: true });
    store.markAlertFailed('c2.test', 'connect ECONNREFUSED');
    store.close();
    const reopened = new FirstSeenStore(file);
    assert.deepEqual(reopened.pendingAlerts().map((p) => [p.domain, p.attempts, p.lastError]), [['c2.test', 1, 'connect ECONNREFUSED']]);
    reopened.markAlerted('c2.test', { at: at(2), alertId: 'al_0123456789abcdef', caseId: 'cs_0123456789abcdef' });
    assert.deepEqual(reopened.pendingAlerts(), []);
    assert.deepEqual(reopened.alertState('c2.test'), { state: 'posted', at: at(2), alertId: 'al_0123456789abcdef', caseId: 'cs_0123456789abcdef' });
    reopened.recordLogSightings([seen('c2.test', 3)], { alert: true });
    assert.deepEqual(reopened.pendingAlerts(), [], 'seen again: no second alert');
    reopened.close();
  });

  it('keeps the baseline mark once', () => {
    const store = new FirstSeenStore(':memory:');
    assert.equal(store.baselineAt(), undefined);
    store.markBaseline(at(1));
    store.markBaseline(at(2));
    assert.equal(store.baselineAt(), at(1));
    store.close();
  });

  it('remembers a verdict once per key (a retry answers the first), and the first-seen answer shows the latest', async () => {
    const store = new FirstSeenStore(path.join(dir, 'verdicts.db'));
    const acts = createDnsActivities({ timeoutMs: 1000, firstSeen: store });
    await runActivity(env, acts.dnsRecordSighting, { domain: 'cdn.example.test', source: 'ocsf', idempotencyKey: 'wf-1:first-seen' });
    const input = { domain: 'CDN.example.test.', verdict: 'benign' as const, caseId: 'cs_1', at: '2026-11-30T10:00:00Z', reason: 'virustotal: known, unflagged', idempotencyKey: 'nsd-cs_1:remember:cdn.example.test' };
    const first = await runActivity(env, acts.dnsRememberVerdict, input);
    assert.deepEqual(first, { status: 'ok', domain: 'cdn.example.test', verdict: 'benign', caseId: 'cs_1', at: '2026-11-30T10:00:00.000Z', reason: 'virustotal: known, unflagged', already: false });
    const retried = await runActivity(env, acts.dnsRememberVerdict, { ...input, at: '2026-11-30T10:05:00Z' });
    assert.deepEqual(retried, { ...first, already: true }, 'the retry answers what the first attempt remembered');
    const answer = await runActivity(env, acts.dnsFirstSeen, { domain: 'cdn.example.test' });
    assert.ok(answer.seen);
    assert.deepEqual(answer.verdict, { domain: 'cdn.example.test', verdict: 'benign', caseId: 'cs_1', at: '2026-11-30T10:00:00.000Z', reason: 'virustotal: known, unflagged' });
    await runActivity(env, acts.dnsRememberVerdict, { ...input, caseId: 'cs_2', at: '2026-12-01T09:00:00Z', idempotencyKey: 'nsd-cs_2:remember:cdn.example.test' });
    assert.equal(store.verdictOf('cdn.example.test')?.caseId, 'cs_2', 'the latest verdict answers');
    store.close();
  });

  it('refuses a verdict without a key, with an unknown verdict or a bad time, and skips without a store', async () => {
    const acts = createDnsActivities({ timeoutMs: 1000, firstSeen: new FirstSeenStore(':memory:') });
    const base = { domain: 'a.test', verdict: 'benign' as const, caseId: 'cs_1', at: '2026-11-30T10:00:00Z', idempotencyKey: 'k' };
    assert.equal((await rejection(() => runActivity(env, acts.dnsRememberVerdict, { ...base, idempotencyKey: '' }))).type, 'InvalidObservableError');
    assert.equal((await rejection(() => runActivity(env, acts.dnsRememberVerdict, { ...base, verdict: 'fine' as never }))).type, 'InvalidObservableError');
    assert.equal((await rejection(() => runActivity(env, acts.dnsRememberVerdict, { ...base, at: 'today' }))).type, 'InvalidObservableError');
    assert.equal((await rejection(() => runActivity(env, acts.dnsRememberVerdict, { ...base, domain: 'not a domain' }))).type, 'InvalidObservableError');
    const none = await runActivity(env, createDnsActivities({ timeoutMs: 1000 }).dnsRememberVerdict, base);
    assert.equal(none.status, 'skipped');
  });
});
