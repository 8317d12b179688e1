// Runs in the Temporal sandbox: no I/O, no Node APIs, no environment access.
//
// Suspected outbound command-and-control. An internal host talks to a remote IP or domain:
// enrich the remote side, decide, open a ticket, ask an analyst before blocking, block egress,
// and report. Every step lands in the case timeline and as a ticket note.
import { ApplicationFailure, allHandlersFinished, condition, getExternalWorkflowHandle, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities/index.ts';
import type { Observable } from '../../core/alert.ts';
import type { PlaybookView } from '../../core/case.ts';
import { assessC2, type EnrichmentOutcome } from '../../core/verdict.ts';
import { CONTAINMENT, ENRICHMENT } from '../blocks/activity-options.ts';
import { ApprovalGate } from '../blocks/approval-gate.ts';
import { CaseRecord, now } from '../blocks/case-record.ts';
import { caseReport } from '../blocks/report.ts';
import { message, TicketSync } from '../blocks/ticket-sync.ts';
import { Playbook, playbookFinishedSignal, type PlaybookInput } from '../definitions.ts';

const { dnsResolveDomain, virustotalLookupDomain, virustotalLookupIp, abuseipdbCheckIp } = proxyActivities<Activities>(ENRICHMENT);
const { containmentBlockEgress } = proxyActivities<Activities>(CONTAINMENT);

export async function suspectedC2Playbook(input: PlaybookInput): Promise<PlaybookView> {
  const record = new CaseRecord(Playbook.suspectedC2, input);
  const approvals = new ApprovalGate(record);
  const ticket = new TicketSync(record);
  const { view } = record;
  record.note('start', `alert ${input.alert.id}: ${input.alert.title}`);

  try {
    // 1. Enrich the remote side: DNS, VirusTotal, AbuseIPDB.
    record.addEnrichment(await enrich(record));

    // 2. Decide.
    const assessment = assessC2(view.enrichment, view.severity_id);
    record.assess(assessment);
    record.note('verdict', `${assessment.level}, score ${assessment.score}: ${assessment.reasons.join('; ') || 'no findings'}`);

    // 3. Open the ticket.
    await ticket.open(`[Riposte] Suspected C2: ${describeHost(record)} → ${describeRemote(record)}`, caseReport(view, now()));

    // 4. Ask before containing.
    const targets = blockTargets(record);
    let contain = false;
    if (!assessment.askToContain) {
      record.note('approval', 'not asked: the verdict does not call for containment');
    } else if (targets.length === 0) {
      record.note('approval', 'not asked: no remote address to block (the domain does not resolve)');
    } else {
      const action = `block egress${view.host.ip ? ` from ${view.host.ip}` : ''} to ${targets.join(', ')}`;
      await ticket.note('approval-requested', `Approval requested: ${action}. Reason: ${assessment.reasons.join('; ')}`);
      const decision = await approvals.ask({
        id: 'contain-egress',
        action,
        reason: assessment.reasons.join('; '),
        timeout: input.settings.approvalTimeout,
      });
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

    // 5. Contain.
    if (contain) {
      const result = await containmentBlockEgress({
        idempotencyKey: `${workflowInfo().workflowId}:contain-egress`,
        caseId: view.caseId,
        hostIp: view.host.ip,
        addresses: targets,
      });
      record.contained({ driver: result.driver, action: result.actions.join('\n'), targets, at: now(), refs: result.refs });
      record.note('contain', `${result.driver}: ${result.actions.join('; ')}`);
      await ticket.note('containment', `Contained by the ${result.driver} driver:\n${result.actions.join('\n')}`);
    }

    // 6. Report and close.
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

/** When a case workflow started this playbook, tell it the playbook is over. */
async function tellCase(status: string): Promise<void> {
  const parent = workflowInfo().parent;
  if (!parent) return;
  try {
    await getExternalWorkflowHandle(parent.workflowId).signal(playbookFinishedSignal, { workflowId: workflowInfo().workflowId, status });
  } catch {
    // The case has already ended; nothing waits for this playbook.
  }
}

/** Every lookup runs in parallel; a lookup that fails is recorded, not fatal. */
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
      run().catch(
        (err): EnrichmentOutcome => ({ source, observable, status: 'failed', reason: message(err), errorType: failureType(err) })
      )
    )
  );
  for (const o of outcomes) {
    record.note('enrich', `${o.source} ${o.observable.value}: ${o.status === 'ok' ? `${o.verdict.level} — ${o.verdict.summary}` : `${o.status} — ${o.reason}`}`);
  }
  return outcomes;
}

/** The alert's remote IPs plus whatever its domains resolved to. */
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

function failureType(err: unknown): string | undefined {
  return (err as { cause?: { type?: string } }).cause?.type;
}
