// Runs in the Temporal sandbox. Keeps the case's ticket in step with the response: opened
// once, a note per step. Every call carries `${workflowId}:ticket:${step}` as its idempotency
// key, so a retried activity never posts twice. Ticketing trouble is recorded and never stops
// the response. A dry run says what it would have opened.
import type { PlaybookRun } from '../playbook.ts';
import { TICKETING } from './activity-options.ts';
import { quickCall } from './quick.ts';

export class TicketSync {
  private skipped = false;

  constructor(private readonly run: PlaybookRun) {}

  async open(title: string, description: string): Promise<void> {
    const { record, providers, unconfigured } = this.run;
    if (record.view.ticket || this.skipped) return;
    if (!providers.ticket) {
      this.skipped = true;
      record.skip('ticket', 'no ticket system is configured', unconfigured.ticket ?? []);
      return;
    }
    if (this.run.wouldDo('ticket', `open a ${providers.ticket} ticket "${title}"`)) {
      this.skipped = true;
      return;
    }
    try {
      const result = await quickCall(this.run.quick, 'ticketingOpenTicket', TICKETING, { idempotencyKey: this.run.key('ticket:open'), caseId: record.view.caseId, title, description, severity_id: record.view.severity_id });
      if (result.status === 'skipped') {
        this.skipped = true;
        record.note('ticket', `skipped: ${result.reason}`);
        return;
      }
      record.setTicket(result.ticket);
      record.note('ticket', `opened ${result.ticket.system} ${result.ticket.key}`);
    } catch (err) {
      record.note('ticket', `could not open a ticket: ${message(err)}`);
    }
  }

  /** Adds a note for `step` (unique within the run). */
  async note(step: string, text: string): Promise<void> {
    const ticket = this.run.record.view.ticket;
    if (!ticket || this.skipped) return;
    try {
      await quickCall(this.run.quick, 'ticketingAddNote', TICKETING, { ticket, idempotencyKey: this.run.key(`ticket:${step}`), text });
    } catch (err) {
      this.run.record.note('ticket', `could not add the ${step} note to ${ticket.key}: ${message(err)}`);
    }
  }
}

export function message(err: unknown): string {
  const e = err as { cause?: { message?: string }; message?: string };
  return e.cause?.message ?? e.message ?? String(err);
}

export function failureType(err: unknown): string | undefined {
  return (err as { cause?: { type?: string } }).cause?.type;
}
