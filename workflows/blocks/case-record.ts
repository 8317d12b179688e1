// Runs in the Temporal sandbox. The case as the playbook keeps it: status, findings and a
// timeline, answered to the API through `playbookViewQuery`.
import { setHandler } from '@temporalio/workflow';
import { alertHost, alertRemote } from '../../core/alert.ts';
import type { CaseStatus, PlaybookView, ContainmentRecord, TicketRef } from '../../core/case.ts';
import type { Assessment, EnrichmentOutcome } from '../../core/verdict.ts';
import { playbookViewQuery, type PlaybookInput } from '../definitions.ts';

export class CaseRecord {
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

  note(step: string, message: string, actor?: string): void {
    this.view.timeline.push({ at: now(), step, message, ...(actor ? { actor } : {}) });
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

  contained(record: ContainmentRecord): void {
    this.view.containment = record;
  }

  finish(status: CaseStatus): void {
    this.view.status = status;
    this.view.closedAt = now();
  }
}

/** Workflow time: deterministic, advanced by Temporal, safe to replay. */
export function now(): string {
  return new Date().toISOString();
}
