// What ticketing says about itself: plain data for GET /v1/integrations and the worker's catalog (no client, no activity code).
import type { IntegrationInfo } from '../shared/integration.ts';

export const info: IntegrationInfo = {
  name: 'ticketing',
  title: 'Ticketing: open once, update as evidence arrives (on the configured ticket system)',
  category: 'ticketing',
  docUrl: 'activities/ticketing/README.md',
  activities: ['ticketingOpenTicket', 'ticketingAddNote', 'ticketingCloseTicket'],
  settings: [],
};
