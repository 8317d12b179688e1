import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createContainmentActivities } from '../../activities/containment/index.ts';
import { Nft } from '../../activities/nftables/client.ts';
import { nftablesEgressBlocker } from '../../activities/nftables/index.ts';
import { rejection, silentLogger, runActivity } from '../helpers/fixtures.ts';
import { createC2Lab, dropRules, type C2Lab } from '../helpers/netns.ts';

describe('nftables containment in a network namespace (real nft, real traffic)', () => {
  let lab: C2Lab;
  before(async () => {
    lab = await createC2Lab();
  });
  after(() => lab.cleanup());
  const env = new MockActivityEnvironment(undefined, { logger: silentLogger });
  const acts = () => createContainmentActivities({ egress: nftablesEgressBlocker(new Nft({ table: 'riposte', netns: lab.hostNs }), `netns ${lab.hostNs}`) });

  it('blocks egress from the host to the C2 address, once, however often it is retried', async () => {
    assert.equal(await lab.probe(), true, 'the C2 server is reachable before the block');
    const input = { idempotencyKey: 'suspected-c2-cs_x:contain-egress', caseId: 'cs_x', hostIp: lab.hostIp, addresses: [lab.c2Ip] };
    const first = await runActivity(env, acts().containmentBlockEgress, input);
    assert.equal(first.driver, 'nftables');
    assert.equal(first.alreadyPresent, 0);
    const retry = await runActivity(env, acts().containmentBlockEgress, input);
    assert.equal(retry.alreadyPresent, 1);
    const drops = dropRules(await lab.ruleset());
    assert.equal(drops.length, 1, 'exactly one drop rule');
    assert.equal(drops[0]?.daddr, lab.c2Ip);
    assert.equal(drops[0]?.saddr, lab.hostIp);
    assert.equal(await lab.probe(), false, 'the C2 server is unreachable after the block');
  });

  it('undoes the block, and traffic flows again', async () => {
    const out = await runActivity(env, acts().containmentUnblockEgress, { idempotencyKey: 'suspected-c2-cs_x:contain-egress' });
    assert.equal(out.removed, 1);
    assert.equal(dropRules(await lab.ruleset()).length, 0);
    assert.equal(await lab.probe(), true);
  });

  it('refuses an address that is not an IP, changing nothing', async () => {
    const err = await rejection(() =>
      runActivity(env, acts().containmentBlockEgress, { idempotencyKey: 'k', caseId: 'cs_y', addresses: ['203.0.113.9 accept; flush ruleset'] })
    );
    assert.equal(err.type, 'InvalidObservableError');
    assert.equal(dropRules(await lab.ruleset()).length, 0);
  });
});
