// Ticketing activities: they speak to whichever ticket system is configured, or record a
// skip when none is.
import type { AddNoteInput, AddNoteResult, CloseTicketInput, CloseTicketResult, OpenTicketInput, OpenTicketResult, TicketSystem } from './types.ts';
import { info } from './info.ts';

export { info };

const NOT_CONFIGURED = 'no ticket system is configured (Jira: JIRA_*; ServiceNow: SERVICENOW_*; TheHive: THEHIVE_*)';

export function createTicketingActivities(deps: { system?: TicketSystem }) {
  return {
    async ticketingOpenTicket(input: OpenTicketInput): Promise<OpenTicketResult> {
      if (!deps.system) return { status: 'skipped', reason: NOT_CONFIGURED };
      return { status: 'ok', ...(await deps.system.open(input)) };
    },
    async ticketingAddNote(input: AddNoteInput): Promise<AddNoteResult> {
      if (!deps.system) return { status: 'skipped', reason: NOT_CONFIGURED };
      return { status: 'ok', ...(await deps.system.addNote(input)) };
    },
    async ticketingCloseTicket(input: CloseTicketInput): Promise<CloseTicketResult> {
      if (!deps.system) return { status: 'skipped', reason: NOT_CONFIGURED };
      return { status: 'ok', ...(await deps.system.close(input)) };
    },
  };
}
