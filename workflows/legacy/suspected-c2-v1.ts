// Runs in the Temporal sandbox. FROZEN: suspected-c2 as it was published in version 1, with the
// blocks it used then. It runs only to replay (and finish) runs that started before version 2 —
// `suspectedC2Playbook` sends them here (see its `patched` gate). Never edit it: a change here
// breaks those runs. Delete it once no version-1 run is open (docs/playbooks.md, "Retiring a version").
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  getExternalWorkflowHandle,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../../activities/index.ts';
import { alertHost, alertRemote, severityName, type Observable } from '../../core/alert.ts';
import type { Approval, CaseStatus, ContainmentRecord, PlaybookView, TicketRef } from '../../core/case.ts';
import { parseDuration } from '../../core/duration.ts';
import { assessC2, type Assessment, type EnrichmentOutcome } from '../../core/verdict.ts';
import { ApprovalErrorType, approvalUpdate, playbookFinishedSignal, playbookViewQuery, privilegedTaskQueue, type PlaybookInput, type PlaybookSettings } from '../definitions.ts';

const NON_RETRYABLE = ['IntegrationAuthError', 'IntegrationRequestError', 'InvalidObservableError'];
const ENRICHMENT = {
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 5, nonRetryableErrorTypes: NON_RETRYABLE },
} as const;
const TICKETING = {
  startToCloseTimeout: '15s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 12, nonRetryableErrorTypes: NON_RETRYABLE },
} as const;
const CONTAINMENT = {
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '20s', maximumAttempts: 6, nonRetryableErrorTypes: NON_RETRYABLE },
} as const;

const { dnsResolveDomain, virustotalLookupDomain, virustotalLookupIp, abuseipdbCheckIp } = proxyActivities<Activities>(ENRICHMENT);
const { ticketingOpenTicket, ticketingAddNote } = proxyActivities<Activities>(TICKETING);

export async function suspectedC2PlaybookV1(input: PlaybookInput & { settings: PlaybookSettings }): Promise<PlaybookView> {
  const record = new CaseRecord('suspected-c2', input);
  const approvals = new ApprovalGate(record);
  const ticket = new TicketSync(record);
  const { view } = record;
  // The one change since version 1: containment moved to the privileged task queue. Replay does
  // not compare an activity's task queue, so recorded runs still replay, and open ones finish there.
  const { containmentBlockEgress } = proxyActivities<Activities>({ ...CONTAINMENT, taskQueue: privilegedTaskQueue(workflowInfo().taskQueue) });
  record.note('start', `alert ${input.alert.id}: ${input.alert.title}`);

  try {
    record.addEnrichment(await enrich(record));
    const assessment = assessC2(view.enrichment, view.severity_id);
    record.assess(assessment);
    record.note('verdict', `${assessment.level}, score ${assessment.score}: ${assessment.reasons.join('; ') || 'no findings'}`);
    await ticket.open(`[Riposte] Suspected C2: ${describeHost(record)} → ${describeRemote(record)}`, caseReport(view, now()));

    const targets = blockTargets(record);
    let contain = false;
    if (!assessment.askToContain) {
      record.note('approval', 'not asked: the verdict does not call for containment');
    } else if (targets.length === 0) {
      record.note('approval', 'not asked: no remote address to block (the domain does not resolve)');
    } else {
      const action = `block egress${view.host.ip ? ` from ${view.host.ip}` : ''} to ${targets.join(', ')}`;
      await ticket.note('approval-requested', `Approval requested: ${action}. Reason: ${assessment.reasons.join('; ')}`);
      const decision = await approvals.ask({ id: 'contain-egress', action, reason: assessment.reasons.join('; '), timeout: input.settings.approvalTimeout });
      if (decision.status === 'timed_out') {
        contain = input.settings.onApprovalTimeout === 'contain';
        const escalation = `escalated: nobody decided within ${input.settings.approvalTimeout}; the playbook default is ${contain ? 'to contain' : 'not to contain'}`;
        record.note('escalate', escalation);
        await ticket.note('escalation', `Escalation: ${escalation}.`);
      } else {
        contain = decision.status === 'approved';
        await ticket.note('approval-decided', `Containment ${decision.status} by ${decision.decidedBy}${decision.comment ? `: "${decision.comment}"` : ''}.`);
      }
    }

    if (contain) {
      const result = await containmentBlockEgress({ idempotencyKey: `${workflowInfo().workflowId}:contain-egress`, caseId: view.caseId, hostIp: view.host.ip, addresses: targets });
      record.contained({ driver: result.driver, action: result.actions.join('\n'), targets, at: now(), refs: result.refs });
      record.note('contain', `${result.driver}: ${result.actions.join('; ')}`);
      await ticket.note('containment', `Contained by the ${result.driver} driver:\n${result.actions.join('\n')}`);
    }

    record.finish(contain ? 'contained' : 'closed');
    record.note('report', `case ${view.status}`);
    await ticket.note('report', caseReport(view, view.closedAt ?? now()));
  } catch (err) {
    record.finish('failed');
    record.note('failed', message(err));
    await ticket.note('failure', `The playbook failed: ${message(err)}. Containment state: ${view.containment ? 'in place' : 'none'}.`);
    await tellCase(view.status);
    throw ApplicationFailure.nonRetryable(`suspected-c2 playbook failed: ${message(err)}`, 'PlaybookFailedError');
  }
  await condition(allHandlersFinished);
  await tellCase(view.status);
  return view;
}

async function tellCase(status: string): Promise<void> {
  const parent = workflowInfo().parent;
  if (!parent) return;
  try {
    await getExternalWorkflowHandle(parent.workflowId).signal(playbookFinishedSignal, { workflowId: workflowInfo().workflowId, status });
  } catch {
    // The case has already ended.
  }
}

async function enrich(record: CaseRecord): Promise<EnrichmentOutcome[]> {
  const { ips, domains } = record.view.remote;
  const lookups: Array<{ source: string; observable: Observable; run: () => Promise<EnrichmentOutcome> }> = [
    ...domains.flatMap((domain) => {
      const observable: Observable = { type: 'domain', value: domain, role: 'dst' };
      return [
        { source: 'dns', observable, run: () => dnsResolveDomain({ domain }) },
        { source: 'virustotal', observable, run: () => virustotalLookupDomain({ domain }) },
      ];
    }),
    ...ips.flatMap((ip) => {
      const observable: Observable = { type: 'ip', value: ip, role: 'dst' };
      return [
        { source: 'virustotal', observable, run: () => virustotalLookupIp({ ip }) },
        { source: 'abuseipdb', observable, run: () => abuseipdbCheckIp({ ip }) },
      ];
    }),
  ];
  const outcomes = await Promise.all(
    lookups.map(({ source, observable, run }) =>
      run().catch((err): EnrichmentOutcome => ({ source, observable, status: 'failed', reason: message(err), errorType: (err as { cause?: { type?: string } }).cause?.type }))
    )
  );
  for (const o of outcomes) {
    record.note('enrich', `${o.source} ${o.observable.value}: ${o.status === 'ok' ? `${o.verdict.level} — ${o.verdict.summary}` : `${o.status} — ${o.reason}`}`);
  }
  return outcomes;
}

function blockTargets(record: CaseRecord): string[] {
  const resolved = record.view.enrichment.flatMap((e) =>
    e.status === 'ok' && e.source === 'dns' ? e.verdict.related.filter((r) => r.type === 'ip').map((r) => r.value) : []
  );
  return [...new Set([...record.view.remote.ips, ...resolved])];
}

function describeHost(record: CaseRecord): string {
  return record.view.host.hostname ?? record.view.host.ip ?? 'unknown host';
}

function describeRemote(record: CaseRecord): string {
  return [...record.view.remote.domains, ...record.view.remote.ips].join(', ') || 'unknown';
}

function message(err: unknown): string {
  const e = err as { cause?: { message?: string }; message?: string };
  return e.cause?.message ?? e.message ?? String(err);
}

function now(): string {
  return new Date().toISOString();
}

// ---- The version-1 blocks --------------------------------------------------------------------

class CaseRecord {
  readonly view: PlaybookView;

  constructor(playbook: string, input: PlaybookInput) {
    const { alert } = input;
    this.view = {
      caseId: input.caseId,
      playbook,
      status: 'running',
      alertIds: [alert.id],
      title: alert.title,
      severity_id: alert.severity_id,
      host: alertHost(alert),
      remote: alertRemote(alert),
      enrichment: [],
      ticket: null,
      approvals: [],
      containment: null,
      timeline: [],
      startedAt: now(),
    };
    setHandler(playbookViewQuery, () => this.view);
  }

  note(step: string, text: string, actor?: string): void {
    this.view.timeline.push({ at: now(), step, message: text, ...(actor ? { actor } : {}) });
  }

  setStatus(status: CaseStatus): void {
    this.view.status = status;
  }

  addEnrichment(outcomes: EnrichmentOutcome[]): void {
    this.view.enrichment.push(...outcomes);
  }

  assess(assessment: Assessment): void {
    this.view.assessment = assessment;
  }

  setTicket(ticket: TicketRef): void {
    this.view.ticket = ticket;
  }

  contained(r: ContainmentRecord): void {
    this.view.containment = r;
  }

  finish(status: CaseStatus): void {
    this.view.status = status;
    this.view.closedAt = now();
  }
}

class ApprovalGate {
  constructor(private readonly record: CaseRecord) {
    setHandler(
      approvalUpdate,
      (input) => {
        const approval = this.find(input.approvalId) as Approval;
        approval.status = input.decision === 'approve' ? 'approved' : 'rejected';
        approval.decidedBy = input.actor;
        approval.decidedAt = now();
        if (input.comment) approval.comment = input.comment;
        this.record.note('approval', `${approval.action}: ${approval.status} by ${input.actor}${input.comment ? ` — "${input.comment}"` : ''}`, input.actor);
        return approval;
      },
      {
        validator: (input) => {
          const approval = this.find(input.approvalId);
          if (!approval) throw ApplicationFailure.nonRetryable(`no approval ${input.approvalId} in this case`, ApprovalErrorType.notFound);
          if (approval.status !== 'pending') throw ApplicationFailure.nonRetryable(`approval ${input.approvalId} is already ${approval.status}`, ApprovalErrorType.notPending);
        },
      }
    );
  }

  async ask(opts: { id: string; action: string; reason: string; timeout: string }): Promise<Approval> {
    const requestedAt = Date.now();
    const ms = parseDuration(opts.timeout);
    if (ms === undefined) throw ApplicationFailure.nonRetryable(`invalid duration "${opts.timeout}"`, 'InvalidSettingsError');
    const approval: Approval = {
      id: opts.id,
      action: opts.action,
      reason: opts.reason,
      requestedAt: new Date(requestedAt).toISOString(),
      expiresAt: new Date(requestedAt + ms).toISOString(),
      status: 'pending',
    };
    this.record.view.approvals.push(approval);
    this.record.setStatus('awaiting_approval');
    this.record.note('approval', `asked: ${opts.action} (${opts.reason}); waits ${opts.timeout}`);
    const decided = await condition(() => approval.status !== 'pending', opts.timeout);
    if (!decided) {
      approval.status = 'timed_out';
      approval.decidedAt = now();
    }
    this.record.setStatus('running');
    return approval;
  }

  private find(id: string): Approval | undefined {
    return this.record.view.approvals.find((a) => a.id === id);
  }
}

class TicketSync {
  private skipped = false;

  constructor(private readonly record: CaseRecord) {}

  private key(step: string): string {
    return `${workflowInfo().workflowId}:ticket:${step}`;
  }

  async open(title: string, description: string): Promise<void> {
    const { view } = this.record;
    try {
      const result = await ticketingOpenTicket({ idempotencyKey: this.key('open'), caseId: view.caseId, title, description, severity_id: view.severity_id });
      if (result.status === 'skipped') {
        this.skipped = true;
        this.record.note('ticket', `skipped: ${result.reason}`);
        return;
      }
      this.record.setTicket(result.ticket);
      this.record.note('ticket', `opened ${result.ticket.system} ${result.ticket.key}`);
    } catch (err) {
      this.record.note('ticket', `could not open a ticket: ${message(err)}`);
    }
  }

  async note(step: string, text: string): Promise<void> {
    const ticket = this.record.view.ticket;
    if (!ticket || this.skipped) return;
    try {
      await ticketingAddNote({ ticket, idempotencyKey: this.key(step), text });
    } catch (err) {
      this.record.note('ticket', `could not add the ${step} note to ${ticket.key}: ${message(err)}`);
    }
  }
}

function caseReport(view: PlaybookView, endedAt: string): string {
  const lines: string[] = [];
  lines.push(`Riposte report — case ${view.caseId} (${view.playbook})`);
  lines.push(`Alert: ${view.title} — severity ${severityName(view.severity_id)} (${view.severity_id})`);
  lines.push(`Host: ${[view.host.hostname, view.host.ip].filter(Boolean).join(' / ') || 'unknown'}`);
  lines.push(`Remote: ${[...view.remote.domains, ...view.remote.ips].join(', ') || 'none named'}`);
  lines.push('');
  lines.push('Found:');
  for (const e of view.enrichment) {
    lines.push(`- ${e.source} ${e.observable.value}: ${e.status === 'ok' ? `${e.verdict.level} — ${e.verdict.summary}` : `${e.status} — ${e.reason}`}`);
  }
  if (view.assessment) lines.push(`Verdict: ${view.assessment.level}, score ${view.assessment.score}${view.assessment.conclusive ? '' : ' (severity decided)'}`);
  lines.push('');
  lines.push('Done:');
  for (const a of view.approvals) {
    lines.push(`- approval "${a.action}": ${a.status}${a.decidedBy ? ` by ${a.decidedBy}` : ''}${a.decidedAt ? ` at ${a.decidedAt}` : ''}${a.comment ? ` ("${a.comment}")` : ''}`);
  }
  if (view.containment) {
    lines.push(`- containment by ${view.containment.driver} at ${view.containment.at}:`);
    for (const action of view.containment.action.split('\n')) lines.push(`  ${action}`);
  } else {
    lines.push('- no containment');
  }
  lines.push('');
  lines.push('Timings:');
  lines.push(`- started ${view.startedAt}, report at ${endedAt} (${seconds(view.startedAt, endedAt)} s)`);
  for (const a of view.approvals) if (a.decidedAt) lines.push(`- approval waited ${seconds(a.requestedAt, a.decidedAt)} s`);
  if (view.containment) lines.push(`- contained ${seconds(view.startedAt, view.containment.at)} s after the case opened`);
  return lines.join('\n');
}

function seconds(from: string, to: string): string {
  return ((Date.parse(to) - Date.parse(from)) / 1000).toFixed(1);
}
