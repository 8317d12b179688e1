// What defender says about itself: plain data for GET /v1/integrations and the worker's catalog (no client, no activity code).
import type { IntegrationInfo } from '../shared/integration.ts';

export const info: IntegrationInfo = {
  name: 'defender',
  title: 'Microsoft Defender for Endpoint (isolate / release; indicator block / remove)',
  category: 'containment',
  docUrl: 'https://learn.microsoft.com/en-us/defender-endpoint/api/isolate-machine',
  activities: ['defenderIsolateMachine', 'defenderReleaseMachine', 'defenderBlockIndicator', 'defenderRemoveIndicator', 'defenderCollectInvestigationPackage'],
  settings: [
    { name: 'DEFENDER_TENANT_ID', description: 'Entra ID tenant', required: true },
    { name: 'DEFENDER_CLIENT_ID', description: 'app registration with Machine.Isolate, Machine.Read.All, Ti.ReadWrite.All', required: true },
    { name: 'DEFENDER_CLIENT_SECRET', description: 'its client secret', required: true, secret: true },
    { name: 'DEFENDER_BASE_URL', description: 'https://api.security.microsoft.com' },
    { name: 'DEFENDER_LOGIN_URL', description: 'https://login.microsoftonline.com' },
  ],
  // Machine actions allow 100 calls a minute.
  rateLimit: { limit: 100, intervalMs: 60_000 },
  privileged: true,
};
