// Builds each integration's client from configuration. An integration without credentials
// gets no client; its activities then record a skip instead of failing.
import path from 'node:path';
import { AbuseIpDbClient } from '../activities/abuseipdb/client.ts';
import { FirstSeenStore } from '../activities/dns/first-seen.ts';
import { info as abuseipdbInfo } from '../activities/abuseipdb/index.ts';
import { INTEGRATIONS } from '../activities/catalog.ts';
import { servicenowFromEnv, servicenowTicketSystem } from '../activities/servicenow/index.ts';
import { thehiveFromEnv, thehiveTicketSystem } from '../activities/thehive/index.ts';
import type { TicketSystem } from '../activities/ticketing/types.ts';
import { describeRateLimit, integrationState } from '../activities/shared/integration.ts';
import { limiterFor } from '../activities/shared/rate-limit.ts';
import { info as virustotalInfo } from '../activities/virustotal/index.ts';
import { logOnlyEgressBlocker } from '../activities/containment/log-only.ts';
import { NeverContain } from '../activities/containment/never-contain.ts';
import type { ActivityDeps } from '../activities/index.ts';
import { JiraClient } from '../activities/jira/client.ts';
import { jiraTicketSystem } from '../activities/jira/index.ts';
import { Nft } from '../activities/nftables/client.ts';
import { nftablesEgressBlocker } from '../activities/nftables/index.ts';
import { VirusTotalClient } from '../activities/virustotal/client.ts';
import type { RiposteConfig } from '../config/index.ts';
import { CaseRecordStore } from '../store/case-record.ts';
import type { Logger } from '../telemetry/logger.ts';

export interface IntegrationStatus {
  name: string;
  active: boolean;
  detail: string;
}

/**
 * The ticket system behind ticketing*: RIPOSTE_TICKETING names it (jira, servicenow, thehive);
 * unset, the first configured of those three.
 */
function chooseTicketSystem(config: RiposteConfig, env: Record<string, string | undefined>): { system?: TicketSystem; detail: string } {
  const { jira } = config.integrations;
  const servicenow = servicenowFromEnv(env);
  const thehive = thehiveFromEnv(env);
  const available: Record<string, (() => TicketSystem) | undefined> = {
    jira: jira && (() => jiraTicketSystem(new JiraClient(jira), { projectKey: jira.projectKey, issueType: jira.issueType })),
    servicenow: servicenow && (() => servicenowTicketSystem(servicenow.client, { closeCode: servicenow.closeCode })),
    thehive: thehive && (() => thehiveTicketSystem(thehive)),
  };
  const wanted = env.RIPOSTE_TICKETING?.trim();
  if (wanted) {
    const make = available[wanted];
    if (!make) throw new Error(`RIPOSTE_TICKETING=${wanted}, but ${wanted in available ? `${wanted} is not configured` : 'that is not jira, servicenow or thehive'}`);
    return { system: make(), detail: `on ${wanted}` };
  }
  const first = Object.entries(available).find(([, make]) => make);
  return first ? { system: (first[1] as () => TicketSystem)(), detail: `on ${first[0]}` } : { detail: 'skipped: no ticket system configured (Jira, ServiceNow or TheHive)' };
}

export function buildActivityDeps(config: RiposteConfig, logger: Logger, env: Record<string, string | undefined> = process.env): { deps: ActivityDeps; status: IntegrationStatus[] } {
  const limit = (info: typeof virustotalInfo) => limiterFor(info.name, integrationState(info, env).rateLimit);
  const { virustotal, abuseipdb } = config.integrations;
  const { containment } = config;
  const tickets = chooseTicketSystem(config, env);
  const where = containment.nftNetns ? `netns ${containment.nftNetns}` : 'this host';
  const nft = containment.live.includes('nftables');
  const neverContain = NeverContain.fromEnv(env);
  const deps: ActivityDeps = {
    dns: { servers: config.dns.servers, timeoutMs: config.dns.timeoutMs, firstSeen: new FirstSeenStore(path.join(config.dataDir, 'first-seen.db')) },
    virustotal: virustotal && new VirusTotalClient({ ...virustotal, limiter: limit(virustotalInfo) }),
    abuseipdb: abuseipdb && new AbuseIpDbClient({ ...abuseipdb, limiter: limit(abuseipdbInfo) }),
    context: { env, dataDir: config.dataDir, evidenceDir: path.resolve(env.RIPOSTE_EVIDENCE_DIR ?? path.join(config.dataDir, 'evidence')) },
    tickets: tickets.system,
    caseRecord: new CaseRecordStore(config.caseRecordFile),
    // Version-1 runs still call the egress driver directly; log-only records for them.
    egress: nft ? nftablesEgressBlocker(new Nft({ table: containment.nftTable, netns: containment.nftNetns }), where) : logOnlyEgressBlocker(logger),
    containment: { live: containment.live, neverContain },
  };
  // Every integration in the catalog, active or skipped, and why.
  const live = containment.live.length ? containment.live.join(', ') : 'none (log-only: every action is recorded as simulated)';
  const special: Record<string, { active: boolean; detail: string }> = {
    dns: { active: true, detail: config.dns.servers?.length ? `resolvers ${config.dns.servers.join(', ')}` : 'system resolvers' },
    containment: { active: true, detail: `drivers acting for real: ${live}; never contain: ${neverContain.describe().length} entries` },
    nftables: { active: nft, detail: nft ? `table inet ${containment.nftTable} on ${where}` : 'skipped: RIPOSTE_CONTAINMENT does not list nftables' },
    ticketing: { active: Boolean(tickets.system), detail: tickets.detail },
  };
  const status: IntegrationStatus[] = INTEGRATIONS.map((info) => {
    const state = integrationState(info, env);
    const known = special[info.name];
    if (known) return { name: info.name, ...known };
    return {
      name: info.name,
      active: state.configured,
      detail: state.configured ? (state.rateLimit ? `rate limit ${describeRateLimit(state.rateLimit)}` : 'ready (nothing to configure)') : `skipped: ${state.missing.join(', ')} unset`,
    };
  });
  return { deps, status };
}
