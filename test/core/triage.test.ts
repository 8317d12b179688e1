// The triage learner (domain/triage.ts): what an analyst reads on a case — the false-positive
// likelihood and the verdicts behind it, the unusual and first-time flags, the priority and why —
// and when auto-close may take an alert.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { poissonTail, TriageLearner, type TriageAlert } from '../../domain/triage.ts';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-09-07T00:00:00Z');
const alert = (over: Partial<TriageAlert> = {}): TriageAlert => ({ source: 'wazuh', rule: 'Scheduled task created', entities: ['host:backup-1'], severity_id: 3, at: T0, ...over });

/** A learner that has seen `n` verdicts on the rule on backup-1, `fp` of them false positives. */
function taught(n: number, fp: number, opts: ConstructorParameters<typeof TriageLearner>[0] = {}): TriageLearner {
  const l = new TriageLearner(opts);
  for (let i = 0; i < n; i++) l.learn({ source: 'wazuh', rule: 'Scheduled task created', entities: ['host:backup-1'], falsePositive: i < fp, at: T0 });
  return l;
}

describe('triage learner', () => {
  it('one verdict does not decide: the prior keeps the likelihood moderate, and says why', () => {
    const none = new TriageLearner().assess(alert());
    assert.equal(none.fpLikelihood, 0.5, 'no verdicts: an even prior');
    assert.match(none.fpBasis, /no verdicts yet/);
    const one = taught(1, 1).assess(alert());
    assert.ok(one.fpLikelihood > 0.5 && one.fpLikelihood < 0.8, `one false positive moves it only a little (${one.fpLikelihood})`);
  });

  it('explains the likelihood from the most specific history: the rule on this host', () => {
    const t = taught(15, 14).assess(alert());
    assert.ok(t.fpLikelihood > 0.8, `14 of 15 false positives: likely (${t.fpLikelihood})`);
    assert.equal(t.fpBasis, '14 of the last 15 cases of rule "Scheduled task created" on host:backup-1 were false positives');
    assert.ok(t.reasons.some((r) => r.includes('14 of the last 15')), 'the reasons carry the explanation');
  });

  it('the same rule on another host leans on the rule, the rule on another source on the source', () => {
    const l = taught(20, 20);
    const elsewhere = l.assess(alert({ entities: ['host:db-7'] }));
    assert.match(elsewhere.fpBasis, /^20 of the last 20 cases of rule "Scheduled task created" were false positives$/);
    const otherRule = l.assess(alert({ rule: 'Credential dumping' }));
    assert.match(otherRule.fpBasis, /no verdict yet on rule "Credential dumping"; 20 of the last 20 cases of source wazuh/);
    assert.ok(otherRule.fpLikelihood < elsewhere.fpLikelihood, 'a rule with no verdicts of its own is less certain');
  });

  it('true positives lower the likelihood and raise the priority', () => {
    const benign = taught(20, 20).assess(alert());
    const real = taught(20, 0).assess(alert());
    assert.ok(real.fpLikelihood < 0.2, `all true positives (${real.fpLikelihood})`);
    assert.ok(real.priority > benign.priority, `a rule that is always real ranks higher (${real.priority} > ${benign.priority})`);
  });

  it('flags a burst far above the rule’s normal rate for this hour of the week, with the figures', () => {
    const l = new TriageLearner();
    // Two weeks of one alert an hour on backup-1.
    for (let h = 0; h < 14 * 24; h++) l.observe(alert({ at: T0 + h * HOUR + 60_000 }));
    const hour = T0 + 14 * 24 * HOUR;
    const first = l.assess(alert({ at: hour + 60_000 }));
    assert.equal(first.unusual, false, 'one alert in the hour is normal');
    for (let i = 0; i < 10; i++) l.observe(alert({ at: hour + 60_000 + i * 1000 }));
    const burst = l.assess(alert({ at: hour + 120_000 }));
    assert.equal(burst.unusual, true, '11 in an hour against 1 is unusual');
    assert.ok(burst.reasons.some((r) => /^unusual: 11 alerts of rule "Scheduled task created" this hour, against 1\.0 usual/.test(r)), `says the figures: ${burst.reasons.join(' | ')}`);
  });

  it('judges a busy rule’s hour in a few steps, right in the tail', () => {
    assert.ok(Math.abs(poissonTail(11, 1) - 1.0048e-8) < 1e-11, 'the tail of a quiet rule');
    assert.ok(poissonTail(5000, 4000) < 1e-40, '5,000 in an hour against 4,000 usual is far out (not rounded to 1)');
    assert.ok(poissonTail(4100, 4000) > 0.01 && poissonTail(4100, 4000) < 0.1, 'a little above a busy normal is not');
  });

  it('no rate is unusual before a week of history', () => {
    const l = new TriageLearner();
    for (let i = 0; i < 50; i++) l.observe(alert({ at: T0 + i * 1000 }));
    assert.equal(l.assess(alert({ at: T0 + 60_000 })).unusual, false, 'a cold learner flags no rate');
  });

  it('flags a rule firing on a host for the first time, once the learner knows what is normal', () => {
    const l = new TriageLearner();
    for (let d = 0; d < 8; d++) l.observe(alert({ at: T0 + d * 24 * HOUR }));
    const later = T0 + 8 * 24 * HOUR;
    assert.equal(l.assess(alert({ at: later })).novel, false, 'backup-1 runs it all the time');
    const t = l.assess(alert({ entities: ['host:hr-laptop-3', 'ip:203.0.113.9'], at: later }));
    assert.equal(t.novel, true, 'a new host for the rule');
    assert.ok(t.reasons.includes('first time rule "Scheduled task created" fires on host:hr-laptop-3'), `${t.reasons.join(' | ')}`);
    const cold = new TriageLearner();
    cold.observe(alert());
    assert.equal(cold.assess(alert({ entities: ['host:hr-laptop-3'], at: T0 + HOUR })).novel, false, 'a learner a day old finds nothing new');
  });

  it('critical assets raise the priority and are named', () => {
    const l = taught(5, 3, { criticalAssets: ['backup-1', '10.20.0.0/16'] });
    const crit = l.assess(alert());
    const plain = l.assess(alert({ entities: ['host:backup-2'] }));
    assert.deepEqual(crit.critical, ['backup-1']);
    assert.ok(crit.priority > plain.priority, 'a critical asset ranks higher');
    assert.ok(crit.reasons.includes('critical asset: backup-1'), `${crit.reasons.join(' | ')}`);
    assert.deepEqual(l.assess(alert({ entities: ['ip:10.20.3.4'] })).critical, ['10.20.3.4'], 'CIDRs match addresses');
  });

  it('auto-close only with enough verdicts of the rule, never for the unusual, the new or the critical', () => {
    assert.equal(new TriageLearner().assess(alert()).autoClose, undefined, 'off unless configured');
    assert.equal(taught(5, 5, { autoCloseAt: 0.9 }).assess(alert()).autoClose, false, 'five verdicts are not enough');
    assert.equal(taught(60, 60, { autoCloseAt: 0.9 }).assess(alert()).autoClose, true, 'sixty false positives in a row are');
    assert.equal(taught(60, 50, { autoCloseAt: 0.9 }).assess(alert()).autoClose, false, '50 of 60 is below 90%');
    assert.equal(taught(60, 60, { autoCloseAt: 0.9, criticalAssets: ['backup-1'] }).assess(alert()).autoClose, false, 'never a critical asset');
  });

  it('forgets old verdicts: a rule that turned real is relearned from its last hundred', () => {
    const l = taught(100, 100);
    for (let i = 0; i < 100; i++) l.learn({ source: 'wazuh', rule: 'Scheduled task created', entities: ['host:backup-1'], falsePositive: false, at: T0 });
    assert.ok(l.assess(alert()).fpLikelihood < 0.1, 'the last hundred were all real');
  });
});
