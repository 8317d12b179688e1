// One ticket interface for every ticketing integration: open once, note as evidence
// arrives, close with the outcome. Types only — safe for workflows to import.
import type { TicketRef } from '../../core/case.ts';

export interface OpenTicketInput {
  /** Same key, same ticket: a retried or repeated open never makes a second one. */
  idempotencyKey: string;
  caseId: string;
  title: string;
  description: string;
  severity_id: number;
}

export interface AddNoteInput {
  ticket: TicketRef;
  /** Same key, same note: a retried activity never posts twice. */
  idempotencyKey: string;
  text: string;
}

export type OpenTicketResult =
  | { status: 'ok'; ticket: TicketRef; existed: boolean }
  | { status: 'skipped'; reason: string };

export type AddNoteResult = { status: 'ok'; noteId: string; existed: boolean } | { status: 'skipped'; reason: string };

/** How the case ended, as the ticket records it. */
export type TicketOutcome = 'true_positive' | 'false_positive' | 'benign' | 'indeterminate';

export interface CloseTicketInput {
  ticket: TicketRef;
  /** Same key, same closing note: a retried close never posts it twice. */
  idempotencyKey: string;
  outcome: TicketOutcome;
  /** The closing report. */
  summary: string;
}

export type CloseTicketResult = { status: 'ok'; alreadyClosed: boolean } | { status: 'skipped'; reason: string };

/** What a ticketing integration implements (see activities/jira for one). */
export interface TicketSystem {
  readonly name: string;
  open(input: OpenTicketInput): Promise<{ ticket: TicketRef; existed: boolean }>;
  addNote(input: AddNoteInput): Promise<{ noteId: string; existed: boolean }>;
  /** Records the outcome and closes; a ticket already closed stays as it is. */
  close(input: CloseTicketInput): Promise<{ alreadyClosed: boolean }>;
}
