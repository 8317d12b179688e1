// Runs in the Temporal sandbox: no I/O, no Node APIs, no environment access.
//
// Suspected outbound command-and-control. An internal host talks to a remote IP or domain:
// enrich the remote side (a domain this estate has never looked up counts against it), decide,
// open a ticket, hunt the indicators across the estate (other hosts that talked to them join the
// case), ask an analyst, capture memory of the hosts in scope, block their egress, and report.
import { patched } from '@temporalio/workflow';
import { alertHost, alertRemote, type NativeAlert, type Observable } from '../../core/alert.ts';
import type { PlaybookView } from '../../core/case.ts';
import { assessC2V2 } from '../../core/verdict.ts';
import type { ContainRequest } from '../../activities/containment/types.ts';
import { durationMs } from '../blocks/approval-gate.ts';
import { now } from '../blocks/case-record.ts';
import { collectEvidence } from '../blocks/collect-evidence.ts';
import { applyContainment, describePlanned, planContainment } from '../blocks/contain.ts';
import { enrich, resolvedAddresses } from '../blocks/enrich.ts';
import { hunt } from '../blocks/hunt.ts';
import { caseReport } from '../blocks/report.ts';
import type { PlaybookInput, PlaybookSettings } from '../definitions.ts';
import { suspectedC2PlaybookV1 } from '../legacy/suspected-c2-v1.ts';
import { APPROVAL_SETTINGS, definePlaybook, runPlaybook, type PlaybookRun } from '../playbook.ts';

export const suspectedC2 = definePlaybook({
  name: 'suspected-c2',
  title: 'Suspected command-and-control',
  version: 2,
  description:
    'An internal host talks to a remote IP or domain: enrich the remote side (first-seen domains raise the score), hunt it across the estate (hosts seen with it join the case), ask an analyst, capture memory of the hosts in scope where a collector is configured, block their egress to the C2 addresses, report.',
  route: {
    description: 'an internal host (source side) talking to a remote IP or domain (destination side), severity Low or above',
    matches: (a: NativeAlert) => {
      const host = alertHost(a);
      const remote = alertRemote(a);
      return Boolean(host.hostname ?? host.ip) && remote.ips.length + remote.domains.length > 0 && a.severity_id >= 2;
    },
  },
  // The remote side it responds to, and the internal hosts: a new host talking to a known C2
  // address is news too (it needs its own block).
  indicators: (a: NativeAlert): Observable[] => {
    const remote = alertRemote(a);
    const host = alertHost(a);
    return [
      ...remote.domains.map((value) => ({ type: 'domain' as const, value, role: 'dst' as const })),
      ...remote.ips.map((value) => ({ type: 'ip' as const, value, role: 'dst' as const })),
      ...(host.ip ? [{ type: 'ip' as const, value: host.ip, role: 'src' as const }] : host.hostname ? [{ type: 'hostname' as const, value: host.hostname, role: 'src' as const }] : []),
    ];
  },
  settings: {
    ...APPROVAL_SETTINGS,
    onApprovalTimeout: { ...APPROVAL_SETTINGS.onApprovalTimeout, fallbackEnv: ['RIPOSTE_C2_ON_TIMEOUT'] },
    huntWindow: { default: '7d', kind: 'duration', description: 'how far back to hunt the C2 indicators in the logs' },
    captureMemory: { default: 'yes', kind: 'enum', choices: ['yes', 'no'], description: 'capture memory of the hosts in scope before blocking (when a memory collector is configured)' },
  },
  approvals: { 'contain-egress': 'block egress from the hosts in scope to the C2 addresses' },
  sideEffects: ['ticket', 'notify', 'page', 'collect:memory', 'contain:egress'],
});

/** Runs started before version 2 replay (and finish) as version 1. */
export const C2_V2_PATCH = 'suspected-c2-v2';

export async function suspectedC2Playbook(input: PlaybookInput): Promise<PlaybookView> {
  if (!patched(C2_V2_PATCH)) return suspectedC2PlaybookV1(input as PlaybookInput & { settings: PlaybookSettings });
  return runPlaybook(suspectedC2, input, respond);
}

type Run = PlaybookRun<keyof typeof suspectedC2.settings>;

/** Between rounds: every C2 address found so far, and which host → address blocks are in place or asked. */
interface Memo {
  addresses: string[];
  covered: string[];
}

async function respond(run: Run): Promise<void> {
  const { record, settings } = run;
  const memo = ((run.memo.c2 as Memo | undefined) ??= { addresses: [], covered: [] }) as Memo;
  const round = run.round.number > 1 ? `-r${run.round.number}` : '';
  const remote = run.round.indicators.filter((i) => i.role !== 'src');
  const hostName = record.view.host.hostname ?? record.view.host.ip;

  if (remote.length > 0) {
    // 1. Enrich the remote side: reputation, DNS, and whether the estate has ever seen the domain.
    const { outcomes } = await enrich(run, remote, hostName ? { firstSeenHost: hostName } : {});

    // 2. Decide.
    const assessment = assessC2V2(outcomes, record.view.severity_id);
    record.assess(assessment);
    record.note('verdict', `${assessment.level}, score ${assessment.score}: ${assessment.reasons.join('; ') || 'no findings'}`);

    // 3. Open the ticket (once per run).
    await run.ticket.open(`[Riposte] Suspected C2: ${hostName ?? 'unknown host'} → ${remote.map((r) => r.value).join(', ')}`, caseReport(record.view, now()));

    // 4. Hunt the indicators (and what the domains resolve to) across the estate: who else talked to them?
    const found = [...remote.filter((r) => r.type === 'ip').map((r) => r.value), ...resolvedAddresses(outcomes)];
    memo.addresses = [...new Set([...memo.addresses, ...found])];
    const since = new Date(Date.now() - durationMs(settings.huntWindow)).toISOString();
    await hunt(run, [...remote, ...found.filter((a) => !remote.some((r) => r.value === a)).map((value) => ({ type: 'ip' as const, value }))], { since });
  } else {
    record.note('round', `new host${run.round.indicators.length > 1 ? 's' : ''} in the case talking to the known C2 addresses: ${run.round.indicators.map((i) => i.value).join(', ')}`);
  }

  // 5. Ask before containing: every host in scope, to every C2 address, that is not blocked yet.
  const assessment = record.view.assessment;
  if (!assessment?.askToContain) return record.note('approval', 'not asked: the verdict does not call for containment');
  if (memo.addresses.length === 0) return record.note('approval', 'not asked: no remote address to block (the domains do not resolve)');
  const wanted = egressRequests(run, memo);
  if (wanted.length === 0) return record.note('approval', 'not asked: every host in scope is already blocked from every C2 address');
  const plan = await planContainment(run, wanted);
  if (plan.length === 0) return record.note('approval', 'not asked: every target is on the never-contain list');
  for (const r of wanted) memo.covered.push(...pairs(r.params.from, r.params.to));
  const addresses = [...new Set(plan.flatMap((p) => (p.params as { to: string[] }).to))];
  const action = `block egress ${fromWhom(plan)} to ${addresses.join(', ')}`;
  await run.ticket.note(`approval-requested${round}`, `Approval requested: ${action}. Reason: ${assessment.reasons.join('; ')}`);
  const decision = await run.approvals.ask({ id: 'contain-egress', action, reason: assessment.reasons.join('; '), targets: plan.map(describePlanned), timeout: settings.approvalTimeout });
  const contain = await run.approvals.settle(decision, { ...settings, verb: 'contain', noun: 'Containment', suffix: round });
  if (!contain) return;

  // 6. Memory of the hosts in scope before the block changes what runs on them.
  if (settings.captureMemory === 'yes') await collectEvidence(run, record.hosts(), ['memory']);

  // 7. Contain: block egress from the hosts to the C2 addresses.
  await applyContainment(run, plan, { approval: decision });
}

/**
 * One block per host in scope with a known address (to the C2 addresses it is not yet blocked
 * from); a host without a known address means blocking for every host.
 */
function egressRequests(run: Run, memo: Memo): Array<ContainRequest & { kind: 'egress' }> {
  const hosts = run.record.hosts();
  const withIp = hosts.filter((h) => h.ip);
  const sources = withIp.length === 0 || withIp.length < hosts.length ? [undefined] : withIp.map((h) => h.ip as string);
  return sources.flatMap((from) => {
    const to = memo.addresses.filter((addr) => !memo.covered.includes(pairKey(from, addr)) && !memo.covered.includes(pairKey(undefined, addr)));
    if (to.length === 0) return [];
    return [{ kind: 'egress' as const, op: 'block-egress' as const, target: `${from ?? 'every host'} → ${to.join(', ')}`, params: { ...(from ? { from } : {}), to } }];
  });
}

const pairKey = (from: string | undefined, to: string) => `${from ?? '*'}|${to}`;
const pairs = (from: string | undefined, to: string[]) => to.map((addr) => pairKey(from, addr));

function fromWhom(plan: Array<{ params: unknown }>): string {
  const from = plan.flatMap((p) => ((p.params as { from?: string }).from ? [(p.params as { from: string }).from] : []));
  return from.length ? `from ${from.join(', ')}` : 'from every host';
}
