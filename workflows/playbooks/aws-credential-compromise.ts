// Runs in the Temporal sandbox: no I/O, no Node APIs, no environment access.
//
// A compromised AWS credential (GuardDuty IAM findings, Security Hub's copies of them, or any
// alert naming an access key). Enrich the caller's address, read what the key did recently in
// CloudTrail, and — once an analyst approves — cut it off: a long-term key (AKIA…) is deactivated;
// temporary credentials (ASIA…) cannot be, so the sessions of the role that issued them are revoked.
// Root credentials are never touched: a person is paged. Every change has its undo.
import { proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { Activities } from '../../activities/index.ts';
import type { KeyActivityEvent } from '../../activities/aws/types.ts';
import type { ContainRequest, PlannedAction } from '../../activities/containment/types.ts';
import type { AlertPrincipal, NativeAlert, Observable } from '../../core/alert.ts';
import type { PlaybookView } from '../../core/case.ts';
import { mergeVerdicts, type Assessment, type EnrichmentOutcome } from '../../core/verdict.ts';
import { durationMs } from '../blocks/approval-gate.ts';
import { NOTIFY } from '../blocks/activity-options.ts';
import { now } from '../blocks/case-record.ts';
import { applyContainment, describePlanned, planContainment } from '../blocks/contain.ts';
import { enrich } from '../blocks/enrich.ts';
import { caseReport } from '../blocks/report.ts';
import { failureType, message } from '../blocks/ticket-sync.ts';
import type { PlaybookInput } from '../definitions.ts';
import { APPROVAL_SETTINGS, definePlaybook, runPlaybook, type PlaybookRun } from '../playbook.ts';

/** AWS's access key id pattern: long-term `AKIA…`, temporary (STS) `ASIA…`. */
const ACCESS_KEY_ID = /^A[KS]IA[A-Z0-9]{16}$/;
/** CloudTrail event history keeps 90 days of management events. */
const EVENT_HISTORY_DAYS = 90;
/** Calls of the key listed, at most (newest first). */
const KEY_EVENTS = 50;

export const awsCredentialCompromise = definePlaybook({
  name: 'aws-credential-compromise',
  title: 'AWS credential compromise',
  version: 1,
  description:
    'An alert names an AWS access key: enrich the caller address, read what the key did in CloudTrail, ask an analyst, then deactivate a long-term key (AKIA…) or revoke the sessions of the role behind temporary credentials (ASIA…); root credentials are never touched — a person is paged. Report.',
  route: {
    description:
      'an alert naming an AWS access key — the principal\u2019s key (GuardDuty, Security Hub threat findings: TTPs, Effects, Unusual Behaviors) or a cloud_resource AKIA…/ASIA… — severity Low or above',
    matches: (a: NativeAlert) => alertKeys(a).length > 0 && isThreatFinding(a) && a.severity_id >= 2 && a.severity_id <= 6,
  },
  indicators: (a: NativeAlert): Observable[] => alertKeys(a).map((value) => ({ type: 'cloud_resource' as const, value, role: 'actor' as const })),
  settings: {
    ...APPROVAL_SETTINGS,
    activityWindow: { default: '7d', kind: 'duration', description: 'how far back to read what the key did in CloudTrail event history (at most 90d, what event history keeps)' },
  },
  approvals: {
    'deactivate-key': 'deactivate a long-term access key (AKIA…); the undo makes it active again',
    'revoke-sessions': 'deny everything to the sessions of the role behind temporary credentials (ASIA…) issued before now; the undo removes the policy',
  },
  sideEffects: ['ticket', 'notify', 'page', 'cloud:deactivate-key', 'cloud:revoke-sessions'],
});

export async function awsCredentialCompromisePlaybook(input: PlaybookInput): Promise<PlaybookView> {
  return runPlaybook(awsCredentialCompromise, input, respond);
}

type Run = PlaybookRun<keyof typeof awsCredentialCompromise.settings>;

/** CloudTrail LookupEvents: read-only, two a second per account; a few attempts, then the response goes on without it. */
const CLOUDTRAIL: ActivityOptions = {
  startToCloseTimeout: '2m',
  scheduleToCloseTimeout: '5m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 3, nonRetryableErrorTypes: ['IntegrationAuthError', 'IntegrationRequestError', 'InvalidObservableError'] },
};

const { notificationNotify } = proxyActivities<Activities>(NOTIFY);

async function respond(run: Run): Promise<void> {
  const { record, settings } = run;
  const round = run.round.number > 1 ? `-r${run.round.number}` : '';
  const alerts = run.round.alerts;
  const keys = run.round.indicators.map((i) => i.value);
  for (const key of keys) record.joinScope({ type: 'credential', value: key, joinedBy: 'alert', reason: `named by alert ${(alerts.find((a) => alertKeys(a).includes(key)) ?? run.input.alert).id}` });

  // 1. Enrich the caller's address (who used the key, from where).
  const callers = unique(alerts.flatMap((a) => a.observables.filter((o) => o.type === 'ip' && o.role === 'actor').map((o) => o.value))).map((value): Observable => ({ type: 'ip', value, role: 'actor' }));
  const { outcomes } = await enrich(run, callers);

  // 2. Decide what each key allows (deactivate, revoke, or a person acts) and whether to ask.
  const responses = keys.map((key) => credentialResponse(key, principalOf(key, alerts)));
  const severity = Math.max(...alerts.map((a) => (a.severity_id === 99 ? 0 : a.severity_id)));
  const assessment = assessCredentialCompromise(outcomes, severity);
  record.assess(assessment);
  record.note('verdict', `${assessment.level}, score ${assessment.score}: ${assessment.reasons.join('; ') || 'no findings'}`);
  for (const r of responses) record.note('decide', `${r.accessKeyId}: ${r.action} — ${r.why}`);

  // 3. Open the ticket (once per run).
  const who = alerts.find((a) => a.principal?.name)?.principal;
  await run.ticket.open(`[Riposte] AWS credential compromise: ${keys.join(', ')}${who?.name ? ` (${who.type} ${who.name})` : ''} — ${alerts[0]?.title ?? ''}`, caseReport(record.view, now()));

  // 4. What each key did recently, where CloudTrail answers (read-only, so a dry run reads it too).
  for (const key of keys) await keyActivity(run, key, alerts.find((a) => alertKeys(a).includes(key)) ?? run.input.alert);

  // 5. Root credentials (and what no API can cut off): never touched — a person is paged.
  for (const r of responses) if (r.action === 'escalate') await escalate(run, r, round);

  // 6. Ask, then act: one approval per kind of change.
  const actionable = responses.filter((r): r is Extract<CredentialResponse, { action: 'deactivate-key' | 'revoke-sessions' }> => r.action === 'deactivate-key' || r.action === 'revoke-sessions');
  if (actionable.length === 0) return;
  if (!assessment.askToContain) return record.note('approval', 'not asked: the verdict does not call for cutting the credential off');
  for (const kind of ['deactivate-key', 'revoke-sessions'] as const) {
    const these = actionable.filter((r) => r.action === kind);
    if (these.length === 0) continue;
    const plan = await planContainment(run, these.map((r) => containRequest(r, now())));
    if (plan.length === 0) {
      record.note('approval', `not asked to ${kind}: every target is on the never-contain list`);
      continue;
    }
    const action =
      kind === 'deactivate-key'
        ? `deactivate ${these.map((r) => `${r.accessKeyId}${r.action === 'deactivate-key' && r.userName ? ` of ${r.userName}` : ''}`).join(', ')}`
        : `revoke every session of role ${unique(these.map((r) => (r.action === 'revoke-sessions' ? r.roleName : ''))).join(', ')} issued before the revocation (${these.map((r) => r.accessKeyId).join(', ')}: temporary, cannot be deactivated)`;
    await run.ticket.note(`approval-requested-${kind}${round}`, `Approval requested: ${action}. Reason: ${assessment.reasons.join('; ')}`);
    const decision = await run.approvals.ask({ id: kind, action, reason: assessment.reasons.join('; '), targets: plan.map(describePlanned), timeout: settings.approvalTimeout });
    if (!(await run.approvals.settle(decision, { ...settings, verb: 'act', noun: `"${decision.action}"`, what: decision.action, suffix: `-${kind}${round}` }))) continue;
    // Sessions issued up to the moment of the change are cut, not only those before the question.
    await applyContainment(run, kind === 'revoke-sessions' ? plan.map((a) => issuedBefore(a, now())) : plan, { approval: decision });
  }
}

/** Step 4 for one key: awsLookupKeyActivity, kept as the key's `cloudtrail` finding (the report's "Found"). */
async function keyActivity(run: Run, key: string, alert: NativeAlert): Promise<void> {
  const { record, providers, unconfigured, settings } = run;
  const observable: Observable = { type: 'cloud_resource', value: key, role: 'actor' };
  if (providers.contain.cloud_credential.driver !== 'aws') {
    const reason = 'AWS is not configured: what the key did cannot be read from CloudTrail';
    if (!record.view.skipped.some((s) => s.step === 'cloudtrail')) record.skip('cloudtrail', reason, unconfigured['contain.cloud'] ?? ['AWS_REGION']);
    record.addEnrichment([{ source: 'cloudtrail', observable, status: 'skipped', reason }]);
    return;
  }
  const windowMs = Math.min(durationMs(settings.activityWindow), EVENT_HISTORY_DAYS * 86_400_000);
  const since = new Date(Date.now() - windowMs).toISOString();
  const region = alert.cloud?.region && /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/.test(alert.cloud.region) ? alert.cloud.region : undefined;
  const { awsLookupKeyActivity } = run.privileged(CLOUDTRAIL);
  try {
    const r = await awsLookupKeyActivity({ accessKeyId: key, since, limit: KEY_EVENTS, ...(region ? { region } : {}) });
    if (r.status === 'skipped') {
      record.note('cloudtrail', `${key}: skipped — ${r.reason}`);
      record.addEnrichment([{ source: 'cloudtrail', observable, status: 'skipped', reason: r.reason }]);
      return;
    }
    const summary = summarizeKeyActivity(r.events, r.truncated, since);
    record.note('cloudtrail', `${key}: ${summary}`);
    record.addEnrichment([
      {
        source: 'cloudtrail',
        observable,
        status: 'ok',
        verdict: {
          source: 'cloudtrail',
          observable,
          level: 'info',
          score: 0,
          summary,
          found: r.events.length > 0,
          tags: unique(r.events.map((e) => e.eventName)),
          related: unique(r.events.flatMap((e) => (e.sourceIp ? [e.sourceIp] : []))).map((value): Observable => ({ type: 'ip', value, role: 'actor' })),
        },
      },
    ]);
    if (r.events.length > 0) {
      await run.ticket.note(`key-activity-${key}`, `What ${key} did since ${since}${region ? ` in ${region}` : ''} (CloudTrail event history, newest first${r.truncated ? `, first ${r.events.length}` : ''}):\n${r.events.map((e) => `- ${describeEvent(e)}`).join('\n')}`);
    }
  } catch (err) {
    const reason = `CloudTrail did not answer: ${message(err)}`;
    record.note('cloudtrail', `${key}: ${reason}`);
    record.addEnrichment([{ source: 'cloudtrail', observable, status: 'failed', reason, ...(failureType(err) ? { errorType: failureType(err) } : {}) }]);
  }
}

/** Step 5 for one key: say why in the timeline and on the ticket, and page whoever is on call. */
async function escalate(run: Run, r: Extract<CredentialResponse, { action: 'escalate' }>, round: string): Promise<void> {
  const { record, providers, unconfigured } = run;
  const text = `${r.accessKeyId}: ${r.why}. Riposte changes nothing; a person must act.`;
  record.note('escalate', text);
  await run.ticket.note(`escalation-${r.accessKeyId}${round}`, `Escalation: ${text}`);
  const channels = [...providers.page, ...providers.notify];
  if (providers.page.length === 0) record.skip('page', 'nobody to page about a credential Riposte may not touch', unconfigured.page ?? []);
  if (channels.length === 0) return;
  if (run.wouldDo('page', `page ${channels.join(', ')}: ${text}`)) return;
  try {
    const result = await notificationNotify({
      kind: 'escalation',
      idempotencyKey: run.key(`notify:escalation:${r.accessKeyId}`),
      caseId: run.caseId,
      severity_id: record.view.severity_id,
      title: `[Riposte] ${r.root ? 'Root credentials in use' : 'Credential needs a person'} — ${record.view.title}`,
      text,
      channels,
    });
    record.note('page', `escalated to ${result.delivered.filter((d) => d.status === 'ok').map((d) => d.channel).join(', ') || 'no channel'}`);
  } catch (err) {
    record.note('page', `could not escalate: ${message(err)}`);
  }
}

function containRequest(r: Extract<CredentialResponse, { action: 'deactivate-key' | 'revoke-sessions' }>, at: string): ContainRequest {
  return r.action === 'deactivate-key'
    ? { kind: 'cloud_credential', op: 'deactivate-key', target: r.accessKeyId, params: { accessKeyId: r.accessKeyId, ...(r.userName ? { userName: r.userName } : {}) } }
    : { kind: 'cloud_credential', op: 'revoke-sessions', target: r.roleName, params: { roleName: r.roleName, issuedBefore: at } };
}

/** A planned revocation, moved to `at` (the approval came after the plan). */
function issuedBefore(a: PlannedAction, at: string): PlannedAction {
  if (a.op !== 'revoke-sessions') return a;
  return { ...a, params: { ...a.params, issuedBefore: at }, description: a.description.replace(a.params.issuedBefore, at) };
}

function describeEvent(e: KeyActivityEvent): string {
  return `${e.time} ${e.eventSource.replace(/\.amazonaws\.com$/, '')}:${e.eventName}${e.sourceIp ? ` from ${e.sourceIp}` : ''}${e.region ? ` in ${e.region}` : ''}${e.userName ? ` as ${e.userName}` : ''}`;
}

// ---- Decisions (pure) -------------------------------------------------------------------------

/**
 * A threat detection, not a posture check: of Security Hub's findings only TTPs, Effects and
 * Unusual Behaviors ("access keys should be rotated" names a key, but nobody stole it).
 */
export function isThreatFinding(a: Pick<NativeAlert, 'source' | 'rule'>): boolean {
  return a.source !== 'securityhub' || /^(?:TTPs|Effects|Unusual Behaviors)\//.test(a.rule?.name ?? '');
}

/** The access keys an alert names: its principal's key and any cloud_resource AKIA…/ASIA…, once each. */
export function alertKeys(a: Pick<NativeAlert, 'observables' | 'principal'>): string[] {
  const keys = [a.principal?.accessKeyId, ...a.observables.filter((o) => o.type === 'cloud_resource').map((o) => o.value)];
  return unique(keys.filter((k): k is string => typeof k === 'string' && ACCESS_KEY_ID.test(k)));
}

/** The principal an alert says is behind `key` (only when the alert names it as the principal's key). */
function principalOf(key: string, alerts: NativeAlert[]): AlertPrincipal | undefined {
  return alerts.find((a) => a.principal?.accessKeyId === key)?.principal;
}

/** What can be done about one key, and why. */
export type CredentialResponse =
  | { action: 'deactivate-key'; accessKeyId: string; userName?: string; why: string }
  | { action: 'revoke-sessions'; accessKeyId: string; roleName: string; why: string }
  | { action: 'escalate'; accessKeyId: string; root: boolean; why: string };

/**
 * What a key allows (docs/playbooks/aws-credential-compromise.md):
 * - root credentials (principal type root) → escalate: Riposte never touches them;
 * - an AWS service's credentials → escalate: not the account's to cut off;
 * - a long-term key (AKIA…) → deactivate it (its IAM user is found from the key when not named);
 * - temporary credentials (ASIA…) of an assumed role → revoke the role's sessions issued before now;
 * - temporary credentials of anything else (an IAM user's session token, a federated user, an
 *   unknown principal) → escalate: there is no role to revoke and the key cannot be deactivated.
 */
export function credentialResponse(accessKeyId: string, principal?: AlertPrincipal): CredentialResponse {
  if (principal?.type === 'root') {
    return { action: 'escalate', accessKeyId, root: true, why: 'root credentials: Riposte never changes the root user\u2019s keys (rotate them, check MFA, and read what they did by hand)' };
  }
  if (principal?.type === 'service') return { action: 'escalate', accessKeyId, root: false, why: `credentials of an AWS service${principal.name ? ` (${principal.name})` : ''}: not the account\u2019s to cut off` };
  if (accessKeyId.startsWith('AKIA')) {
    const userName = principal?.type === 'user' ? principal.name : undefined;
    return { action: 'deactivate-key', accessKeyId, ...(userName ? { userName } : {}), why: `a long-term access key${userName ? ` of IAM user ${userName}` : ''}: deactivate it (never deleted; the undo makes it active again)` };
  }
  if (principal?.type === 'role' && principal.name) {
    return { action: 'revoke-sessions', accessKeyId, roleName: principal.name, why: `temporary credentials of role ${principal.name}: a session key cannot be deactivated, so the role\u2019s sessions issued before now are denied everything` };
  }
  const whose = principal?.type === 'user' ? `IAM user ${principal.name ?? '(unnamed)'}` : principal ? `a ${principal.type} principal${principal.name ? ` (${principal.name})` : ''}` : 'an unnamed principal';
  return { action: 'escalate', accessKeyId, root: false, why: `temporary credentials of ${whose}: no role to revoke and a session key cannot be deactivated (deny the principal by hand)` };
}

/**
 * Whether to ask to cut the credential off:
 * 1. any reputation source calls the caller's address malicious or suspicious → ask;
 * 2. otherwise severity Medium (3) or above asks — the detector already judged the key's use, and a
 *    deactivation or revocation is undone in one call; a source vouching for the address is listed, not obeyed;
 * 3. a Low finding with nothing against the caller is recorded and not acted on.
 */
export function assessCredentialCompromise(outcomes: EnrichmentOutcome[], severityId: number): Assessment {
  const verdicts = mergeVerdicts(outcomes).filter((v) => v.level !== 'unknown');
  const score = verdicts.reduce((m, v) => Math.max(m, v.score), 0);
  const reasons = verdicts.flatMap((v) => v.sources.filter((s) => s.level !== 'info').map((s) => `${s.source}: caller ${v.observable.value} is ${s.level} (${s.summary})`));
  const bad = verdicts.filter((v) => v.level === 'malicious' || v.level === 'suspicious');
  if (bad.length > 0) return { level: bad.some((v) => v.level === 'malicious') ? 'malicious' : 'suspicious', score, conclusive: true, askToContain: true, reasons };
  const ask = severityId >= 3 && severityId !== 99;
  return {
    level: 'inconclusive',
    score,
    conclusive: false,
    askToContain: ask,
    reasons: [...reasons, `no source calls the caller bad; finding severity ${severityId} ${ask ? 'is Medium or above: asking to cut the credential off' : 'is Low: recorded, not acted on'}`],
  };
}

/** One line for the report: how many calls, which, from where. */
export function summarizeKeyActivity(events: KeyActivityEvent[], truncated: boolean, since: string): string {
  if (events.length === 0) return `no calls in CloudTrail event history since ${since}`;
  const names = unique(events.map((e) => `${e.eventSource.replace(/\.amazonaws\.com$/, '')}:${e.eventName}`));
  const ips = unique(events.flatMap((e) => (e.sourceIp ? [e.sourceIp] : [])));
  return `${events.length}${truncated ? '+' : ''} call${events.length === 1 ? '' : 's'} since ${since} (newest ${events[0]?.time}): ${names.slice(0, 10).join(', ')}${names.length > 10 ? ` and ${names.length - 10} more` : ''}${ips.length ? `; from ${ips.slice(0, 5).join(', ')}${ips.length > 5 ? ' …' : ''}` : ''}`;
}

function unique<T>(list: T[]): T[] {
  return [...new Set(list)];
}
