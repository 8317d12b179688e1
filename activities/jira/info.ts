// What jira says about itself: plain data for GET /v1/integrations and the worker's catalog (no client, no activity code).
import type { IntegrationInfo } from '../shared/integration.ts';

export const info: IntegrationInfo = {
  name: 'jira',
  title: 'Jira Cloud REST v3 (the ticket system behind ticketing*)',
  category: 'ticketing',
  docUrl: 'https://developer.atlassian.com/cloud/jira/platform/rest/v3/',
  activities: [],
  settings: [
    { name: 'JIRA_BASE_URL', description: 'https://<site>.atlassian.net', required: true },
    { name: 'JIRA_EMAIL', description: 'the account the API token belongs to', required: true },
    { name: 'JIRA_API_TOKEN', description: 'API token', required: true, secret: true },
    { name: 'JIRA_PROJECT_KEY', description: 'project for new issues', required: true },
    { name: 'JIRA_ISSUE_TYPE', description: 'issue type (Task)' },
  ],
};
