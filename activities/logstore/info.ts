// What logstore says about itself: plain data for GET /v1/integrations and the worker's catalog (no client, no activity code).
import type { IntegrationInfo } from '../shared/integration.ts';

export const info: IntegrationInfo = {
  name: 'logstore',
  title: 'Local log store (SQLite FTS5 over imported proxy and DNS logs)',
  category: 'hunting',
  docUrl: 'activities/logstore/README.md',
  activities: ['logstoreHunt'],
  settings: [{ name: 'RIPOSTE_LOGSTORE_FILE', description: 'the store (data/logs.db); fill it with `npm run logs:import`' }],
};
