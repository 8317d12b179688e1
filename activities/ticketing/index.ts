// Ticketing activities: they speak to whichever ticket system is configured, or record a
// skip when none is.
import type { AddNoteInput, AddNoteResult, OpenTicketInput, OpenTicketResult, TicketSystem } from './types.ts';

export const descriptor = {
  name: 'ticketing',
  activities: ['ticketingOpenTicket', 'ticketingAddNote'],
  secrets: [],
  docUrl: 'docs/integrations.md',
} as const;

const NOT_CONFIGURED = 'no ticket system is configured (set JIRA_BASE_URL, JIRA_EMAIL, JIRA_API_TOKEN, JIRA_PROJECT_KEY)';

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
  };
}
