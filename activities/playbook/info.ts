// What playbook says about itself: plain data for GET /v1/integrations and the worker's catalog (no client, no activity code).
import type { IntegrationInfo } from '../shared/integration.ts';

export const info: IntegrationInfo = {
  name: 'playbook',
  title: "Playbook runs: each run's settings and providers, read once from the worker's configuration",
  category: 'enrichment',
  docUrl: 'docs/playbooks.md',
  activities: ['playbookReadContext', 'playbookPrivilegedProviders'],
  settings: [],
  // Answered by the worker that collects and contains, from its own configuration.
  privileged: ['playbookPrivilegedProviders'],
};
