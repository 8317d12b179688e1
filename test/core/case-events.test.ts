import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { foldRun, runEvents, type CaseEvent } from '../../core/case-events.ts';
import type { PlaybookView } from '../../core/case.ts';

const started = '2026-12-01T10:00:00.000Z';
function view(): PlaybookView {
  return {
    caseId: 'cs_1',
    playbook: 'suspected-c2',
    version: 2,
    run: 1,
    status: 'running',
    alertIds: ['al_1'],
    title: 'beacon to 203.0.113.7',
    severity_id: 4,
    host: { hostname: 'web-1', ip: '10.0.0.5' },
    remote: { ips: ['203.0.113.7'], domains: [] },
    enrichment: [],
    ticket: null,
    approvals: [],
    containment: null,
    timeline: [{ at: started, step: 'start', message: 'suspected-c2 v2' }],
    startedAt: started,
    scope: [{ type: 'host', value: 'web-1', joinedBy: 'alert', reason: 'named by alert al_1', at: started }],
    indicators: [{ type: 'ip', value: '203.0.113.7' }],
    sightings: [],
    evidence: [],
    actions: [],
    skipped: [],
  };
}

/** Numbers facts as a run does: its workflow ID and each fact's place. */
function keyed(events: ReturnType<typeof runEvents>['events'], from: number): CaseEvent[] {
  return events.map((e, i) => ({ ...e, key: `wf:${from + i}`, run: 'wf', n: from + i }));
}

describe('the case record as facts', () => {
  it('folds a run back exactly from the facts written at each step, and writes only what changed', () => {
    const v = view();
    const first = runEvents(undefined, v, started);
    const facts: CaseEvent[] = keyed(first.events, 0);
    assert.equal(facts[0]?.kind, 'run.started');
    let told = first.digest;

    // Findings, an approval asked, then decided; a host's address learned; containment; the end.
    v.approvals.push({ id: 'contain-egress', action: 'block 203.0.113.7', reason: 'malicious', requestedAt: '2026-12-01T10:00:01.000Z', expiresAt: '2026-12-01T10:30:01.000Z', status: 'pending' });
    v.status = 'awaiting_approval';
    v.timeline.push({ at: '2026-12-01T10:00:01.000Z', step: 'approval', message: 'asked' });
    const second = runEvents(told, v, '2026-12-01T10:00:01.000Z');
    assert.deepEqual(second.events.map((e) => e.kind).sort(), ['approval.asked', 'note.added', 'status.changed']);
    facts.push(...keyed(second.events, facts.length));
    told = second.digest;

    const approval = v.approvals[0] as NonNullable<PlaybookView['approvals'][0]>;
    Object.assign(approval, { status: 'approved', decidedBy: 'alice', decidedAt: '2026-12-01T10:02:00.000Z' });
    (v.scope as NonNullable<PlaybookView['scope']>)[0]!.ip = '10.0.0.5';
    v.status = 'running';
    v.actions!.push({ id: 'suspected-c2-block-egress-1', kind: 'egress', op: 'block-egress', description: 'blocked', target: '203.0.113.7', driver: 'nftables', simulated: false, at: '2026-12-01T10:02:01.000Z', status: 'applied', undo: { op: 'unblock-egress', input: { handle: 7 } } });
    v.status = 'contained';
    v.closedAt = '2026-12-01T10:02:02.000Z';
    v.report = 'Alert: …';
    const third = runEvents(told, v, '2026-12-01T10:02:02.000Z');
    const decided = third.events.find((e) => e.kind === 'approval.updated');
    assert.equal(decided?.actor, 'alice', 'a decision names who took it');
    assert.ok(third.events.some((e) => e.kind === 'scope.updated'));
    facts.push(...keyed(third.events, facts.length));

    assert.deepEqual(foldRun(facts), v);
    // Out of order as stored (two writes racing), they fold back the same once sorted by place.
    assert.deepEqual(foldRun([...facts].reverse().sort((a, b) => (a.n ?? 0) - (b.n ?? 0))), v);
    assert.deepEqual(runEvents(third.digest, v, '2026-12-01T11:00:00.000Z').events, [], 'nothing changed: nothing written');
  });

  it('a stream without its start is no run', () => {
    assert.equal(foldRun([{ key: 'k', at: started, kind: 'note.added', data: { index: 0, item: {} } }]), undefined);
  });
});
