// What sweep says about itself: plain data for GET /v1/integrations and the worker's catalog (no client, no activity code).
import type { IntegrationInfo } from '../shared/integration.ts';

export const info: IntegrationInfo = {
  name: 'sweep',
  title: 'IOC sweep: feeds into the indicator store, sightings to the API as alerts, the record of each run',
  category: 'hunting',
  docUrl: 'docs/playbooks/ioc-sweep.md',
  activities: ['sweepPullFeeds', 'sweepLoadIndicators', 'sweepReportSightings', 'sweepRecordRun'],
  settings: [
    { name: 'RIPOSTE_SWEEP_EVERY', description: 'how often the sweep runs (1h); off stops it' },
    { name: 'RIPOSTE_API_URL', description: 'where the worker posts sightings as alerts (http://127.0.0.1:<RIPOSTE_PORT>)' },
    { name: 'RIPOSTE_SOURCE_TOKEN', description: 'a source token for those posts (default: the source token in data/tokens.json)', secret: true },
  ],
};
