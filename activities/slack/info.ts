// What slack says about itself: plain data for GET /v1/integrations and the worker's catalog (no client, no activity code).
import type { IntegrationInfo } from '../shared/integration.ts';

export const info: IntegrationInfo = {
  name: 'slack',
  title: 'Slack (chat.postMessage; approval buttons with signed interaction callbacks)',
  category: 'notification',
  docUrl: 'https://api.slack.com/methods/chat.postMessage',
  activities: ['slackPostMessage'],
  settings: [
    { name: 'SLACK_BOT_TOKEN', description: 'a bot token (xoxb-…) with chat:write and channels:history', required: true, secret: true },
    { name: 'SLACK_CHANNEL', description: 'the default channel id' },
    { name: 'SLACK_SIGNING_SECRET', description: "verifies approval clicks (the API's interaction endpoint)", secret: true },
    { name: 'SLACK_APPROVERS', description: 'Slack user ids allowed to decide approvals from Slack' },
    { name: 'SLACK_BASE_URL', description: 'https://slack.com' },
  ],
  // chat.postMessage is Tier "special": about one message per second per channel.
  rateLimit: { limit: 1, intervalMs: 1000 },
};
