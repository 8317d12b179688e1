// Runs in the Temporal sandbox: no I/O, no Node APIs, no environment access.
//
// zz-scaffold-probe-26436: say here, in a sentence or two, what happened and how this playbook responds.
// Scaffolded by `npm run playbook -- new zz-scaffold-probe-26436`; see docs/playbooks.md for the kit.
import { alertHost, alertRemote, type NativeAlert, type Observable } from '../../core/alert.ts';
import type { PlaybookView } from '../../core/case.ts';
import { assessC2V2 } from '../../core/verdict.ts';
import { applyContainment, describePlanned, planContainment } from '../blocks/contain.ts';
import { enrich, resolvedAddresses } from '../blocks/enrich.ts';
import { now } from '../blocks/case-record.ts';
import { caseReport } from '../blocks/report.ts';
import type { PlaybookInput } from '../definitions.ts';
import { APPROVAL_SETTINGS, definePlaybook, runPlaybook, type PlaybookRun } from '../playbook.ts';

export const lateralProbe = definePlaybook({
  name: 'zz-scaffold-probe-26436',
  title: 'lateral probe',
  version: 1,
  description: 'Describe the response in one paragraph: what starts it, what it finds out, what it asks, what it changes, and how that is undone.',
  route: {
    description: 'alerts whose rule id is "zz-scaffold-probe-26436"',
    matches: (a: NativeAlert) => a.rule?.uid === 'zz-scaffold-probe-26436',
  },
  // The indicators it responds to: a later alert with new ones grows the run (or starts another).
  indicators: (a: NativeAlert): Observable[] => alertRemote(a).ips.map((value) => ({ type: 'ip' as const, value, role: 'dst' as const })),
  settings: { ...APPROVAL_SETTINGS },
  approvals: { 'contain-egress': 'block egress from the host to the remote addresses' },
  sideEffects: ['ticket', 'notify', 'page', 'contain:egress'],
});

export async function lateralProbePlaybook(input: PlaybookInput): Promise<PlaybookView> {
  return runPlaybook(lateralProbe, input, respond);
}

async function respond(run: PlaybookRun<keyof typeof lateralProbe.settings>): Promise<void> {
  const { record, settings } = run;
  const remote = run.round.indicators;

  // 1. Enrich what the alert names.
  const { outcomes } = await enrich(run, remote);

  // 2. Decide (a pure function: write your own beside this one, versioned like the code).
  const assessment = assessC2V2(outcomes, record.view.severity_id);
  record.assess(assessment);
  record.note('verdict', `${assessment.level}, score ${assessment.score}: ${assessment.reasons.join('; ') || 'no findings'}`);
  await run.ticket.open(`[Riposte] zz-scaffold-probe-26436: ${record.view.title}`, caseReport(record.view, now()));
  if (!assessment.askToContain) return record.note('approval', 'not asked: the verdict does not call for containment');

  // 3. Ask before acting (targets on the never-contain list are refused first).
  const host = alertHost(run.input.alert).ip;
  const addresses = [...new Set([...remote.map((r) => r.value), ...resolvedAddresses(outcomes)])];
  const plan = await planContainment(run, [{ kind: 'egress', op: 'block-egress', target: addresses.join(', '), params: { ...(host ? { from: host } : {}), to: addresses } }]);
  if (plan.length === 0) return record.note('approval', 'not asked: nothing left to block');
  const decision = await run.approvals.ask({ id: 'contain-egress', action: `block egress${host ? ` from ${host}` : ''} to ${addresses.join(', ')}`, reason: assessment.reasons.join('; '), targets: plan.map(describePlanned), timeout: settings.approvalTimeout });
  const act = decision.status === 'approved' || (decision.status === 'timed_out' && settings.onApprovalTimeout === 'contain');
  if (!act) return;

  // 4. Act: each action is recorded with its undo.
  await applyContainment(run, plan, { approval: decision });
}
