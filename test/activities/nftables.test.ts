import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createContainmentActivities } from '../../activities/containment/index.ts';
import { NeverContain } from '../../activities/containment/never-contain.ts';
import type { PlannedAction } from '../../activities/containment/types.ts';
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
  const simulated = { driver: 'log-only', live: false };
  const acts = (never: string[] = [], live = true) =>
    createContainmentActivities({
      drivers: { egress: nftablesEgressBlocker(new Nft({ table: 'riposte', netns: lab.hostNs }), `netns ${lab.hostNs}`), edr: {}, aws: {} },
      providers: () => ({ egress: { driver: 'nftables', live }, host: simulated, cloud_instance: simulated, cloud_credential: simulated }),
      neverContain: NeverContain.fromEnv({ RIPOSTE_NEVER_CONTAIN: never.join(',') }),
    });

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

  it('plans around the never-contain list: a protected address is refused before anything is asked', async () => {
    const plan = await runActivity(env, acts([`${lab.c2Ip}/32`]).containmentPlan, {
      requests: [{ kind: 'egress', op: 'block-egress', target: 'x', params: { from: lab.hostIp, to: [lab.c2Ip, '198.51.100.77'] } }],
    });
    assert.deepEqual(plan.refused.map((r) => r.target), [lab.c2Ip]);
    assert.match(plan.refused[0]?.reason ?? '', /RIPOSTE_NEVER_CONTAIN/);
    assert.equal(plan.allowed.length, 1);
    assert.deepEqual((plan.allowed[0] as PlannedAction & { params: { to: string[] } }).params.to, ['198.51.100.77'], 'only the unprotected address is left');
    assert.equal(plan.allowed[0]?.driver, 'nftables');
    assert.equal(plan.allowed[0]?.live, true);
    const loopback = await runActivity(env, acts().containmentPlan, { requests: [{ kind: 'egress', op: 'block-egress', target: 'x', params: { to: ['127.0.0.53'] } }] });
    assert.equal(loopback.allowed.length, 0, 'loopback is never contained, by default');
  });

  it('applies a planned block through its driver, and its recorded undo reverses it', async () => {
    const [action] = (await runActivity(env, acts().containmentPlan, { requests: [{ kind: 'egress', op: 'block-egress', target: 'x', params: { from: lab.hostIp, to: [lab.c2Ip] } }] })).allowed;
    const applied = await runActivity(env, acts().containmentApply, { action: action as PlannedAction, caseId: 'cs_z', idempotencyKey: 'wf-z:contain:block-egress-1', reason: 'test' });
    assert.equal(applied.driver, 'nftables');
    assert.equal(await lab.probe(), false, 'blocked');
    const again = await runActivity(env, acts().containmentApply, { action: action as PlannedAction, caseId: 'cs_z', idempotencyKey: 'wf-z:contain:block-egress-1', reason: 'test' });
    assert.equal(again.alreadyInState, true, 'a retry acts once');
    assert.equal(dropRules(await lab.ruleset()).length, 1);
    const undone = await runActivity(env, acts().containmentUndo, { driver: 'nftables', undo: applied.undo as { op: string; input: Record<string, unknown> }, caseId: 'cs_z', idempotencyKey: 'u', reason: 'test' });
    assert.match(undone.description, /removed 1 egress block rule/);
    assert.equal(await lab.probe(), true, 'traffic flows again');
  });

  it('the worker that acts checks again when it acts: a target protected since the plan, or a driver no longer allowed, changes nothing', async () => {
    const other = '198.51.100.77';
    const [action] = (await runActivity(env, acts().containmentPlan, { requests: [{ kind: 'egress', op: 'block-egress', target: 'x', params: { from: lab.hostIp, to: [lab.c2Ip, other] } }] })).allowed;
    const apply = (a: ReturnType<typeof acts>) => runActivity(env, a.containmentApply, { action: action as PlannedAction, caseId: 'cs_r', idempotencyKey: 'wf-r:contain:block-egress-1', reason: 'test' });

    const refused = await apply(acts([`${lab.c2Ip}/32`, other]));
    assert.match(refused.refused ?? '', /never-contain list/);
    assert.equal(refused.undo, undefined);
    const notLive = await apply(acts([], false));
    assert.match(notLive.refused ?? '', /nftables may no longer act \(not in RIPOSTE_CONTAINMENT\)/);
    assert.equal(dropRules(await lab.ruleset()).length, 0, 'no rule was added');
    assert.equal(await lab.probe(), true);

    const partly = await apply(acts([`${lab.c2Ip}/32`]));
    assert.equal(partly.refused, undefined);
    assert.match(partly.description, /198\.51\.100\.77/);
    assert.equal(await lab.probe(), true, 'the address protected since the plan was left out');
    await runActivity(env, acts().containmentUndo, { driver: 'nftables', undo: partly.undo as { op: string; input: Record<string, unknown> }, caseId: 'cs_r', idempotencyKey: 'u', reason: 'test' });
  });

  it('version 1\u2019s block (no plan) checks the never-contain list when it acts', async () => {
    const err = await rejection(() => runActivity(env, acts([`${lab.c2Ip}/32`]).containmentBlockEgress, { idempotencyKey: 'v1-never', caseId: 'cs_v1', hostIp: lab.hostIp, addresses: [lab.c2Ip] }));
    assert.match(err.message, /on the never-contain list/);
    assert.equal(err.nonRetryable, true);
    assert.equal(dropRules(await lab.ruleset()).length, 0, 'no rule was added');
  });
});
