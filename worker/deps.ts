// Builds each integration's client from the environment (each integration's own <name>FromEnv).
// An integration without credentials gets no client; its activities then record a skip instead
// of failing. Which integrations are active follows the one rule the API shows too (activation).
import path from 'node:path';
import { abuseipdbFromEnv } from '../activities/abuseipdb/index.ts';
import { FirstSeenStore } from '../activities/dns/first-seen.ts';
import { INTEGRATIONS, activation, partlyConfigured, ticketSystemName } from '../activities/catalog-info.ts';
import { jiraFromEnv } from '../activities/jira/index.ts';
import { servicenowFromEnv, servicenowTicketSystem } from '../activities/servicenow/index.ts';
import { thehiveFromEnv, thehiveTicketSystem } from '../activities/thehive/index.ts';
import type { TicketSystem } from '../activities/ticketing/types.ts';
import { virustotalFromEnv } from '../activities/virustotal/index.ts';
import { logOnlyEgressBlocker } from '../activities/containment/log-only.ts';
import { NeverContain } from '../activities/containment/never-contain.ts';
import type { ActivityDeps } from '../activities/index.ts';
import { Nft } from '../activities/nftables/client.ts';
import { nftablesEgressBlocker } from '../activities/nftables/index.ts';
import { ConfigError, type RiposteConfig } from '../config/index.ts';
import { openStores, storeLocations, type Stores } from '../store/open.ts';
import type { Logger } from '../telemetry/logger.ts';

export interface IntegrationStatus {
  name: string;
  active: boolean;
  detail: string;
}

/** The ticket system behind ticketing*, as `ticketSystemName` chooses it (the API shows the same). */
function chooseTicketSystem(env: Record<string, string | undefined>): TicketSystem | undefined {
  const chosen = ticketSystemName(env);
  if (env.RIPOSTE_TICKETING?.trim() && !chosen.name) throw new ConfigError([chosen.why]);
  if (chosen.name === 'jira') return jiraFromEnv(env);
  if (chosen.name === 'servicenow') {
    const s = servicenowFromEnv(env);
    return s && servicenowTicketSystem(s.client, { closeCode: s.closeCode });
  }
  if (chosen.name === 'thehive') {
    const t = thehiveFromEnv(env);
    return t && thehiveTicketSystem(t);
  }
  return undefined;
}

export function buildActivityDeps(config: RiposteConfig, logger: Logger, env: Record<string, string | undefined> = process.env, stores?: Stores): { deps: ActivityDeps; status: IntegrationStatus[] } {
  const partly = partlyConfigured(env);
  if (partly.length > 0) throw new ConfigError(partly);
  const { containment } = config;
  const where = containment.nftNetns ? `netns ${containment.nftNetns}` : 'this host';
  const nft = containment.live.includes('nftables');
  const neverContain = NeverContain.fromEnv(env);
  const deps: ActivityDeps = {
    dns: { servers: config.dns.servers, timeoutMs: config.dns.timeoutMs, firstSeen: new FirstSeenStore(path.join(config.dataDir, 'first-seen.db')) },
    virustotal: virustotalFromEnv(env),
    abuseipdb: abuseipdbFromEnv(env),
    context: { env, dataDir: config.dataDir, evidenceDir: path.resolve(env.RIPOSTE_EVIDENCE_DIR ?? path.join(config.dataDir, 'evidence')) },
    tickets: chooseTicketSystem(env),
    stores: stores ?? openStores(storeLocations(config, 'riposte-worker')),
    // Version-1 runs still call the egress driver directly; log-only records for them.
    egress: nft ? nftablesEgressBlocker(new Nft({ table: containment.nftTable, netns: containment.nftNetns }), where) : logOnlyEgressBlocker(logger),
    containment: { live: containment.live, neverContain },
  };
  // Every integration in the catalog, active or skipped, and why — by the rule the API shows.
  const status: IntegrationStatus[] = INTEGRATIONS.map((info) => {
    const a = activation(info, env);
    const detail = info.name === 'containment' ? `${a.detail}; never contain: ${neverContain.describe().length} entries` : a.detail;
    return { name: info.name, active: a.active, detail };
  });
  return { deps, status };
}
