import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
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
