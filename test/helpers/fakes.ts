// In-memory stand-ins for Riposte's own driver interfaces (not for vendors: those are nock or
// loopback servers built from vendor docs). They record what a playbook asked for.
import { ApplicationFailure } from '@temporalio/common';
import type { BlockEgressInput, EgressBlocker } from '../../activities/containment/types.ts';
import type { AddNoteInput, OpenTicketInput, TicketSystem } from '../../activities/ticketing/types.ts';

export class RecordingTickets implements TicketSystem {
  readonly name = 'recording';
  readonly opened: OpenTicketInput[] = [];
  readonly notes: AddNoteInput[] = [];
  async open(input: OpenTicketInput) {
    const existed = this.opened.some((o) => o.idempotencyKey === input.idempotencyKey);
    if (!existed) this.opened.push(input);
    return { ticket: { system: 'recording', key: `REC-${this.opened.length}` }, existed };
  }
  async addNote(input: AddNoteInput) {
    const i = this.notes.findIndex((n) => n.idempotencyKey === input.idempotencyKey);
    if (i >= 0) return { noteId: String(i), existed: true };
    this.notes.push(input);
    return { noteId: String(this.notes.length - 1), existed: false };
  }
  readonly closed: Array<{ key: string; outcome: string }> = [];
  async close(input: { ticket: { key: string }; outcome: string }) {
    const alreadyClosed = this.closed.some((c) => c.key === input.ticket.key);
    if (!alreadyClosed) this.closed.push({ key: input.ticket.key, outcome: input.outcome });
    return { alreadyClosed };
  }
  noteKeys(): string[] {
    return this.notes.map((n) => n.idempotencyKey.split(':ticket:')[1] ?? n.idempotencyKey);
  }
}

export class RecordingEgress implements EgressBlocker {
  readonly name = 'recording';
  readonly blocks: BlockEgressInput[] = [];
  readonly unblocked: string[] = [];
  async block(input: BlockEgressInput) {
    this.blocks.push(input);
    return { driver: 'recording', actions: input.addresses.map((a) => `blocked ${a}`), refs: input.addresses, alreadyPresent: 0 };
  }
  /** Set to make the next unblocks fail, as a driver that cannot reach its firewall does. */
  failUnblock = false;
  /** Removes the blocks an idempotency key added, as a real driver does. */
  async unblock(input: { idempotencyKey: string }) {
    if (this.failUnblock) throw ApplicationFailure.nonRetryable('the firewall refused the change (test)', 'RequestError');
    const removed = this.blocks.filter((b) => b.idempotencyKey === input.idempotencyKey && !this.unblocked.includes(b.idempotencyKey)).length;
    if (removed) this.unblocked.push(input.idempotencyKey);
    return { driver: 'recording', removed };
  }
}

/**
 * An egress driver whose first call acts and then fails (a worker lost mid-call): the retry must
 * find the rule already there. `calls` counts the calls, `rules` what is in place by idempotency key.
 */
export class ActsThenFailsEgress implements EgressBlocker {
  readonly name = 'flaky';
  readonly rules = new Map<string, BlockEgressInput>();
  calls = 0;
  async block(input: BlockEgressInput) {
    this.calls += 1;
    const existed = this.rules.has(input.idempotencyKey);
    this.rules.set(input.idempotencyKey, input);
    if (this.calls === 1) throw new Error('connection reset after the rule was added');
    return { driver: 'flaky', actions: [`blocked ${input.addresses.join(', ')}`], refs: [], alreadyPresent: existed ? input.addresses.length : 0 };
  }
  async unblock() {
    return { driver: 'flaky', removed: 0 };
  }
}

