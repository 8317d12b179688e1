// What splunk says about itself: plain data for GET /v1/integrations and the worker's catalog (no client, no activity code).
import type { IntegrationInfo } from '../shared/integration.ts';

export const info: IntegrationInfo = {
  name: 'splunk',
  title: 'Splunk search jobs (oneshot, JSON output)',
  category: 'hunting',
  docUrl: 'https://docs.splunk.com/Documentation/Splunk/latest/RESTREF/RESTsearch#search.2Fjobs',
  activities: ['splunkHunt'],
  settings: [
    { name: 'SPLUNK_URL', description: 'the management port, https://splunk.example:8089', required: true },
    { name: 'SPLUNK_TOKEN', description: 'a Splunk authentication token (sent as Bearer)', required: true, secret: true },
    { name: 'SPLUNK_INDEX', description: 'index searched (*)' },
  ],
  // Splunk limits concurrent searches per role; a few a second keeps hunts from crowding them.
  rateLimit: { limit: 5, intervalMs: 1000 },
};
