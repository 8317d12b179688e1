// Runs in the Temporal sandbox. Keeps the case's ticket in step with the response: opened
// once, a note per step. Every call carries `${workflowId}:ticket:${step}` as its
// idempotency key, so a retried activity never posts twice. Ticketing trouble is recorded
// and never stops the response.
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities/index.ts';
import type { CaseRecord } from './case-record.ts';
import { TICKETING } from './activity-options.ts';

const { ticketingOpenTicket, ticketingAddNote } = proxyActivities<Activities>(TICKETING);

export class TicketSync {
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

  /** Adds a note for `step` (unique within the case). */
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

export function message(err: unknown): string {
  const e = err as { cause?: { message?: string }; message?: string };
  return e.cause?.message ?? e.message ?? String(err);
}
