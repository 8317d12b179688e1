// What dns says about itself: plain data for GET /v1/integrations and the worker's catalog (no client, no activity code).
import type { IntegrationInfo } from '../shared/integration.ts';

export const info: IntegrationInfo = {
  name: 'dns',
  title: 'DNS resolution (node:dns)',
  category: 'enrichment',
  docUrl: 'https://nodejs.org/api/dns.html',
  activities: ['dnsResolveDomain', 'dnsRecordSighting', 'dnsFirstSeen', 'dnsRememberVerdict'],
  settings: [
    { name: 'RIPOSTE_DNS_SERVERS', description: 'resolvers, ip or ip:port, comma-separated (system resolvers if unset)' },
    { name: 'RIPOSTE_DNS_TIMEOUT_MS', description: 'per-query timeout (3000)' },
  ],
};
