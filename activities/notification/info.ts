// What notification says about itself: plain data for GET /v1/integrations and the worker's catalog (no client, no activity code).
import type { IntegrationInfo } from '../shared/integration.ts';

export const info: IntegrationInfo = {
  name: 'notification',
  title: 'Notification: every configured channel at once (Slack, Teams, e-mail), PagerDuty on escalation',
  category: 'notification',
  docUrl: 'activities/notification/README.md',
  activities: ['notificationNotify'],
  settings: [{ name: 'RIPOSTE_PUBLIC_URL', description: "the API's address as people reach it, for links in messages (e.g. https://riposte.corp.example)" }],
};
