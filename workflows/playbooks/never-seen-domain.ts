// Runs in the Temporal sandbox: no I/O, no Node APIs, no environment access.
//
// A domain nobody in this estate had looked up before (the first-seen domain source: `npm run
// logs:import -- --alert` over the resolver's or proxy's logs). Resolve and enrich it (reputation,
// and when it was registered), hunt which hosts queried it (they join the case), and decide: a
// benign domain closes quietly — no ticket, nobody told — and is remembered in the first-seen
// store; a suspicious one opens a ticket and asks an analyst to block egress from the hosts that
// queried it to the addresses it resolves to.
import { proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { Activities } from '../../activities/index.ts';
import type { ContainRequest } from '../../activities/containment/types.ts';
import { alertHost, alertRemote, type NativeAlert, type Observable, RiposteRule } from '../../core/alert.ts';
import type { PlaybookView, Sighting } from '../../core/case.ts';
import { assessNewDomain, type Assessment, type EnrichmentOutcome } from '../../core/verdict.ts';
import { durationMs } from '../blocks/approval-gate.ts';
import { now } from '../blocks/case-record.ts';
import { applyContainment, describePlanned, planContainment } from '../blocks/contain.ts';
import { enrich, resolvedAddresses } from '../blocks/enrich.ts';
import { hunt } from '../blocks/hunt.ts';
import { caseReport } from '../blocks/report.ts';
import { message } from '../blocks/ticket-sync.ts';
import type { PlaybookInput } from '../definitions.ts';
import { APPROVAL_SETTINGS, definePlaybook, runPlaybook, type PlaybookRun } from '../playbook.ts';

/** The rule the first-seen domain source posts (activities/logstore/first-seen-source.ts). */
export const FIRST_SEEN_DOMAIN_RULE = RiposteRule.firstSeenDomain;

export const neverSeenDomain = definePlaybook({
  name: 'never-seen-domain',
  title: 'Never-seen domain',
  version: 1,
  description:
    'A domain looked up for the first time in this estate: resolve and enrich it (reputation, registration date), hunt which hosts queried it (they join the case), decide. Benign: close quietly (no ticket, no notification) and remember the verdict in the first-seen store. Suspicious: open a ticket and ask to block egress from the hosts that queried it to its addresses.',
  route: {
    description: `alerts of the rule ${FIRST_SEEN_DOMAIN_RULE.uid} ("${FIRST_SEEN_DOMAIN_RULE.name}", posted by npm run logs:import -- --alert) naming a domain`,
    matches: (a: NativeAlert) => a.rule?.uid === FIRST_SEEN_DOMAIN_RULE.uid && alertRemote(a).domains.length > 0,
  },
  indicators: (a: NativeAlert): Observable[] => alertRemote(a).domains.map((value) => ({ type: 'domain' as const, value, role: 'dst' as const })),
  settings: {
    ...APPROVAL_SETTINGS,
    huntWindow: { default: '30d', kind: 'duration', description: 'how far back to hunt the hosts that queried the domain' },
    onInconclusive: {
      default: 'close',
      kind: 'enum',
      choices: ['close', 'ticket'],
      description: 'when nothing could judge the domain (no source knows it, or a source failed): close without remembering it (close), or open a ticket for an analyst (ticket)',
    },
  },
  approvals: { 'block-domain': 'block egress from the hosts that queried the domain to the addresses it resolves to' },
  sideEffects: ['ticket', 'notify', 'page', 'contain:egress', 'store:domain-verdict'],
});

export async function neverSeenDomainPlaybook(input: PlaybookInput): Promise<PlaybookView> {
  return runPlaybook(neverSeenDomain, input, respond);
}

type Run = PlaybookRun<keyof typeof neverSeenDomain.settings>;

/** Remembering a verdict: one SQLite write, idempotent per key. */
const REMEMBER: ActivityOptions = {
  startToCloseTimeout: '30s',
  scheduleToCloseTimeout: '5m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 5, nonRetryableErrorTypes: ['InvalidObservableError'] },
};
const { dnsRememberVerdict } = proxyActivities<Activities>(REMEMBER);

async function respond(run: Run): Promise<void> {
  const { record, settings } = run;
  const round = run.round.number > 1 ? `-r${run.round.number}` : '';
  const domains = run.round.indicators;
  const hostName = record.view.host.hostname ?? record.view.host.ip;

  // 1. Resolve and enrich: DNS, every reputation source for domains (VirusTotal also says when it was registered).
  const { outcomes } = await enrich(run, domains, hostName ? { firstSeenHost: hostName } : {});

  // 2. Hunt: which hosts queried it in the window? They join the case.
  const since = new Date(Date.now() - durationMs(settings.huntWindow)).toISOString();
  const { sightings } = await hunt(run, domains, { since });

  // 3. Decide, domain by domain.
  const at = now();
  const decided = domains.map((d) => ({ domain: d.value, assessment: assessNeverSeenDomain(outcomes.filter((o) => o.observable.value === d.value), at) }));
  record.assess(assessNeverSeenDomain(outcomes, at));
  for (const { domain, assessment: a } of decided) {
    record.note('verdict', `${domain}: ${a.level}, score ${a.score} — ${verdictWord(a)}: ${a.reasons.join('; ') || 'no findings'}`);
  }

  // 4. Benign: close quietly (no ticket, nobody told) and remember it in the first-seen store.
  for (const { domain, assessment } of decided.filter((d) => isBenign(d.assessment))) await remember(run, domain, assessment);
  const undecided = decided.filter((d) => !isBenign(d.assessment) && !d.assessment.askToContain);
  for (const { domain } of undecided) record.note('verdict', `${domain}: not judged, so not remembered as benign`);
  const suspicious = decided.filter((d) => d.assessment.askToContain);
  if (suspicious.length === 0) {
    if (undecided.length > 0 && settings.onInconclusive === 'ticket') {
      await run.ticket.open(`[Riposte] Never-seen domain, not judged: ${undecided.map((d) => d.domain).join(', ')}`, caseReport(record.view, now()));
      return;
    }
    record.note('close', `${undecided.length ? 'nothing calls for a response' : 'benign'}: closed quietly — no ticket, nobody told`);
    return;
  }

  // 5. Suspicious: a ticket, then ask to block egress from the hosts that queried it to its addresses.
  const names = suspicious.map((d) => d.domain);
  const reason = suspicious.flatMap((d) => d.assessment.reasons).join('; ');
  await run.ticket.open(`[Riposte] Never-seen domain: ${names.join(', ')}${hostName ? ` queried by ${hostName}` : ''}`, caseReport(record.view, now()));
  const requests = egressRequests(run, names, outcomes, sightings);
  if (requests.length === 0) {
    record.note('approval', `not asked: ${names.join(', ')} ${names.length > 1 ? 'do' : 'does'} not resolve, so there is no address to block`);
    return run.ticket.note(`no-address${round}`, `No block asked: ${names.join(', ')} did not resolve. Reason for concern: ${reason}`);
  }
  const plan = await planContainment(run, requests);
  if (plan.length === 0) return record.note('approval', 'not asked: every address is on the never-contain list');
  const action = plan.map((p) => p.description).join('; ');
  await run.ticket.note(`approval-requested${round}`, `Approval requested: ${action}. Reason: ${reason}`);
  const decision = await run.approvals.ask({ id: 'block-domain', action, reason, targets: plan.map(describePlanned), timeout: settings.approvalTimeout });
  const contain = await run.approvals.settle(decision, { ...settings, verb: 'block', noun: 'Block', suffix: round });
  if (!contain) return;
  await applyContainment(run, plan, { approval: decision });
}

/** Remembers a benign domain in the first-seen store: "benign, case X, at T". */
async function remember(run: Run, domain: string, a: Assessment): Promise<void> {
  const { record } = run;
  if (!run.providers.firstSeen) return record.note('remember', `${domain}: not remembered — no first-seen store on this worker`);
  if (run.wouldDo('remember', `remember ${domain} as benign (case ${run.caseId})`)) return;
  try {
    const r = await dnsRememberVerdict({ domain, verdict: 'benign', caseId: run.caseId, at: now(), reason: a.reasons.join('; ').slice(0, 1000), idempotencyKey: run.key(`remember:${domain}`) });
    record.note('remember', r.status === 'ok' ? `${domain}: remembered as ${r.verdict} (case ${r.caseId}, at ${r.at})` : `${domain}: not remembered — ${r.reason}`);
  } catch (err) {
    record.note('remember', `${domain}: could not be remembered — ${message(err)}`);
  }
}

/**
 * Who to block: every host that queried one of the domains (the alert's host, and the hosts the
 * hunt saw ask for it), each to the addresses of the domains it asked for. A querier known by
 * name only means the block cannot be narrowed: it is asked for every host.
 */
function egressRequests(run: Run, domains: string[], outcomes: EnrichmentOutcome[], sightings: Sighting[]): ContainRequest[] {
  const addressesOf = new Map(domains.map((d) => [d, resolvedAddresses(outcomes.filter((o) => o.observable.value === d))]));
  const all = [...new Set([...addressesOf.values()].flat())];
  if (all.length === 0) return [];
  const to = new Map<string, Set<string>>();
  let unnamed = false;
  const add = (ip: string | undefined, domain: string) => {
    if (!ip) return void (unnamed = true);
    const set = to.get(ip) ?? new Set<string>();
    for (const a of addressesOf.get(domain) ?? []) set.add(a);
    to.set(ip, set);
  };
  for (const alert of run.round.alerts) {
    const host = alertHost(alert);
    for (const d of alertRemote(alert).domains.filter((x) => domains.includes(x))) if (host.ip ?? host.hostname) add(host.ip, d);
  }
  for (const s of sightings) if (s.host && domains.includes(s.indicator.value)) add(/^[0-9.]+$|:/.test(s.host) ? s.host : undefined, s.indicator.value);
  if (unnamed || to.size === 0) return [{ kind: 'egress', op: 'block-egress', target: all.join(', '), params: { to: all } }];
  return [...to].filter(([, set]) => set.size > 0).map(([ip, set]) => ({ kind: 'egress', op: 'block-egress', target: `${ip} → ${[...set].join(', ')}`, params: { from: ip, to: [...set] } }));
}

// ---- The decision ---------------------------------------------------------------------------

/** Sources that give context, not reputation. */
const CONTEXT_SOURCES = new Set(['dns', 'first-seen']);

/**
 * A never-seen domain, version 1 (docs/playbooks/never-seen-domain.md): `assessNewDomain`
 * (suspicious when a reputation source flags it or it was registered in the last 30 days; benign
 * when a source answered and none flags it), made stricter about "benign", because a benign
 * domain is remembered and never asked about again: benign only when every reputation source
 * asked answered and at least one of them knows the domain. Otherwise inconclusive.
 */
export function assessNeverSeenDomain(outcomes: EnrichmentOutcome[], at: string): Assessment {
  const base = assessNewDomain(outcomes, at);
  if (base.askToContain) return base;
  const reputation = outcomes.filter((o) => o.observable.type === 'domain' && !CONTEXT_SOURCES.has(o.source));
  const failed = reputation.filter((o): o is Extract<EnrichmentOutcome, { status: 'failed' }> => o.status === 'failed');
  const kept = base.reasons.filter((r) => !r.startsWith('no source flags it'));
  if (failed.length > 0) {
    return { ...base, level: 'inconclusive', conclusive: false, askToContain: false, reasons: [...kept, ...failed.map((f) => `${f.source} could not be asked about ${f.observable.value} (${f.reason}); it might have flagged it`)] };
  }
  if (base.level !== 'safe' && base.level !== 'info') return base;
  const unknown = [...new Set(reputation.map((o) => o.observable.value))].filter((d) => !reputation.some((o) => o.observable.value === d && o.status === 'ok' && o.verdict.found));
  if (unknown.length > 0) {
    return { ...base, level: 'inconclusive', conclusive: false, askToContain: false, reasons: [...kept, ...unknown.map((d) => `no reputation source knows ${d}; nothing vouches for it`)] };
  }
  return base;
}

/** Benign: a conclusive verdict that calls for nothing (safe, or known and unflagged). */
export function isBenign(a: Assessment): boolean {
  return a.conclusive && !a.askToContain && (a.level === 'safe' || a.level === 'info');
}

function verdictWord(a: Assessment): string {
  return a.askToContain ? 'suspicious' : isBenign(a) ? 'benign' : 'not judged';
}
