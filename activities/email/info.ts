// What email says about itself: plain data for GET /v1/integrations and the worker's catalog (no client, no activity code).
import type { IntegrationInfo } from '../shared/integration.ts';

export const info: IntegrationInfo = {
  name: 'email',
  title: 'E-mail over SMTP',
  category: 'notification',
  docUrl: 'https://nodemailer.com/smtp/',
  activities: ['emailSend'],
  settings: [
    { name: 'SMTP_HOST', description: 'the mail server', required: true },
    { name: 'SMTP_FROM', description: 'the sender, e.g. "Riposte <riposte@corp.example>"', required: true },
    { name: 'SMTP_PORT', description: '587 (STARTTLS), or 465 with SMTP_SECURE=true' },
    { name: 'SMTP_SECURE', description: 'true for implicit TLS (port 465)' },
    { name: 'SMTP_USER', description: 'login, when the server wants one' },
    { name: 'SMTP_PASSWORD', description: 'its password', secret: true },
    { name: 'SMTP_TO', description: 'default recipients, comma-separated' },
  ],
  rateLimit: { limit: 60, intervalMs: 60_000 },
};
