// Builds each integration's client from configuration. An integration without credentials
// gets no client; its activities then record a skip instead of failing.
import { AbuseIpDbClient } from '../activities/abuseipdb/client.ts';
import { logOnlyEgressBlocker } from '../activities/containment/log-only.ts';
import type { ActivityDeps } from '../activities/index.ts';
import { JiraClient } from '../activities/jira/client.ts';
import { jiraTicketSystem } from '../activities/jira/index.ts';
import { Nft } from '../activities/nftables/client.ts';
import { nftablesEgressBlocker } from '../activities/nftables/index.ts';
import { VirusTotalClient } from '../activities/virustotal/client.ts';
import type { RiposteConfig } from '../config/index.ts';
import type { Logger } from '../telemetry/logger.ts';

export interface IntegrationStatus {
  name: string;
  active: boolean;
  detail: string;
}

export function buildActivityDeps(config: RiposteConfig, logger: Logger): { deps: ActivityDeps; status: IntegrationStatus[] } {
  const { virustotal, abuseipdb, jira } = config.integrations;
  const { containment } = config;
  const where = containment.nftNetns ? `netns ${containment.nftNetns}` : 'this host';
  const deps: ActivityDeps = {
    dns: { servers: config.dns.servers, timeoutMs: config.dns.timeoutMs },
    virustotal: virustotal && new VirusTotalClient(virustotal),
    abuseipdb: abuseipdb && new AbuseIpDbClient(abuseipdb),
    tickets: jira && jiraTicketSystem(new JiraClient(jira), { projectKey: jira.projectKey, issueType: jira.issueType }),
    egress:
      containment.driver === 'nftables'
        ? nftablesEgressBlocker(new Nft({ table: containment.nftTable, netns: containment.nftNetns }), where)
        : logOnlyEgressBlocker(logger),
  };
  const status: IntegrationStatus[] = [
    { name: 'dns', active: true, detail: config.dns.servers?.length ? `resolvers ${config.dns.servers.join(', ')}` : 'system resolvers' },
    { name: 'virustotal', active: Boolean(virustotal), detail: virustotal ? virustotal.baseUrl : 'skipped: VIRUSTOTAL_API_KEY unset' },
    { name: 'abuseipdb', active: Boolean(abuseipdb), detail: abuseipdb ? abuseipdb.baseUrl : 'skipped: ABUSEIPDB_API_KEY unset' },
    { name: 'jira', active: Boolean(jira), detail: jira ? `${jira.baseUrl} project ${jira.projectKey}` : 'skipped: JIRA_* unset' },
    {
      name: 'containment',
      active: true,
      detail: containment.driver === 'nftables' ? `nftables table inet ${containment.nftTable} on ${where}` : 'log-only (records, blocks nothing)',
    },
  ];
  return { deps, status };
}
