// What teams says about itself: plain data for GET /v1/integrations and the worker's catalog (no client, no activity code).
import type { IntegrationInfo } from '../shared/integration.ts';

export const info: IntegrationInfo = {
  name: 'teams',
  title: 'Microsoft Teams (Workflows webhook, Adaptive Card)',
  category: 'notification',
  docUrl: 'https://support.microsoft.com/en-us/office/create-incoming-webhooks-with-workflows-for-microsoft-teams-8ae491c7-0394-4861-ba59-055e33f75498',
  activities: ['teamsPostMessage'],
  settings: [{ name: 'TEAMS_WEBHOOK_URL', description: 'the Workflows webhook URL of the channel (it carries its own signature)', required: true, secret: true }],
  // Workflows webhooks are throttled per flow; a few a second is plenty for notifications.
  rateLimit: { limit: 4, intervalMs: 1000 },
};
