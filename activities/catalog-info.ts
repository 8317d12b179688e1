// What every integration and capability says about itself — names, settings, activities, rate
// limits — as plain data from each folder's info.ts, without a client or an activity: the API
// answers GET /v1/integrations from here and imports no activity code. activities/catalog.ts
// registers the same integrations with their clients (a test holds the two lists to each other).
import { info as abuseipdb } from './abuseipdb/info.ts';
import { info as aws } from './aws/info.ts';
import { info as caseRecord } from './case-record/info.ts';
import { info as collection } from './collection/info.ts';
import { info as containment } from './containment/info.ts';
import { info as crowdstrike } from './crowdstrike/info.ts';
import { info as defender } from './defender/info.ts';
import { info as dns } from './dns/info.ts';
import { info as elasticdefend } from './elasticdefend/info.ts';
import { info as elasticsearch } from './elasticsearch/info.ts';
import { info as email } from './email/info.ts';
import { info as enrichment } from './enrichment/info.ts';
import { info as greynoise } from './greynoise/info.ts';
import { info as hunting } from './hunting/info.ts';
import { info as imaging } from './imaging/info.ts';
import { info as jira } from './jira/info.ts';
import { info as logstore } from './logstore/info.ts';
import { info as misp } from './misp/info.ts';
import { info as nftables } from './nftables/info.ts';
import { info as notification } from './notification/info.ts';
import { info as otx } from './otx/info.ts';
import { info as pagerduty } from './pagerduty/info.ts';
import { info as playbook } from './playbook/info.ts';
import { info as sentinel } from './sentinel/info.ts';
import { info as sentinelone } from './sentinelone/info.ts';
import { info as servicenow } from './servicenow/info.ts';
import { describeRateLimit, integrationState, type IntegrationInfo } from './shared/integration.ts';
import { info as slack } from './slack/info.ts';
import { info as splunk } from './splunk/info.ts';
import { info as sweep } from './sweep/info.ts';
import { info as teams } from './teams/info.ts';
import { info as thehive } from './thehive/info.ts';
import { info as ticketing } from './ticketing/info.ts';
import { info as urlhaus } from './urlhaus/info.ts';
import { info as virustotal } from './virustotal/info.ts';

/** Integrations built from the environment alone (activities/catalog.ts REGISTRY), in its order. */
export const REGISTERED: readonly IntegrationInfo[] = [
  greynoise,
  urlhaus,
  otx,
  misp,
  logstore,
  elasticsearch,
  splunk,
  sentinel,
  imaging,
  elasticdefend,
  crowdstrike,
  defender,
  aws,
  sentinelone,
  thehive,
  slack,
  teams,
  pagerduty,
  email,
];

/**
 * Every integration's catalog entry. The core ones — DNS, VirusTotal, AbuseIPDB (the C2
 * playbook's enrichment), ticketing and containment with the drivers behind them — are wired in
 * activities/index.ts, where tests can hand them stand-ins.
 */
export const INTEGRATIONS: readonly IntegrationInfo[] = [dns, virustotal, abuseipdb, ...REGISTERED, ticketing, jira, servicenow, containment, nftables];

/**
 * What playbooks ask for, built on the integrations above: a run's context, enrich, hunt,
 * collect, contain (the containment entry above) and notify. Not integrations of their own, so
 * not in GET /v1/integrations; here so every activity has an owner and a task queue.
 */
export const CAPABILITIES: readonly IntegrationInfo[] = [playbook, caseRecord, enrichment, hunting, collection, notification, sweep];

export interface Activation {
  active: boolean;
  /** What to set to make it active (variable names, or a hint). */
  missing: string[];
  detail: string;
}

const TICKET_SYSTEMS = [jira, servicenow, thehive] as const;

/**
 * Whether an integration is active in this environment — the one rule the worker (its start-up
 * log, what it wires) and the API (GET /v1/integrations) both apply, so they cannot disagree.
 * Most need their required settings; a few depend on others: nftables on RIPOSTE_CONTAINMENT
 * listing it, ticketing on a ticket system (RIPOSTE_TICKETING, or the first of Jira, ServiceNow,
 * TheHive configured).
 */
export function activation(info: IntegrationInfo, env: Record<string, string | undefined>): Activation {
  if (info.name === dns.name) return { active: true, missing: [], detail: env.RIPOSTE_DNS_SERVERS?.trim() ? `resolvers ${env.RIPOSTE_DNS_SERVERS.trim()}` : 'system resolvers' };
  if (info.name === containment.name) return { active: true, missing: [], detail: `drivers acting for real: ${env.RIPOSTE_CONTAINMENT?.trim() || 'none (log-only: every action is recorded as simulated)'}` };
  if (info.name === nftables.name) {
    const listed = (env.RIPOSTE_CONTAINMENT ?? '').split(',').map((d) => d.trim()).includes('nftables');
    return listed ? { active: true, missing: [], detail: `table inet ${env.RIPOSTE_NFT_TABLE?.trim() || 'riposte'} on ${env.RIPOSTE_NFT_NETNS?.trim() ? `netns ${env.RIPOSTE_NFT_NETNS.trim()}` : 'this host'}` } : { active: false, missing: ['RIPOSTE_CONTAINMENT (list nftables)'], detail: 'skipped: RIPOSTE_CONTAINMENT does not list nftables' };
  }
  if (info.name === ticketing.name) {
    const system = ticketSystemName(env);
    if (system.name) return { active: true, missing: [], detail: `on ${system.name}` };
    return { active: false, missing: system.missing, detail: `skipped: ${system.why}` };
  }
  const state = integrationState(info, env);
  return state.configured
    ? { active: true, missing: [], detail: state.rateLimit ? `rate limit ${describeRateLimit(state.rateLimit)}` : 'ready (nothing to configure)' }
    : { active: false, missing: state.missing, detail: `skipped: ${state.missing.join(', ')} unset` };
}

/** The ticket system behind ticketing*: RIPOSTE_TICKETING names it; unset, the first configured of Jira, ServiceNow, TheHive. */
export function ticketSystemName(env: Record<string, string | undefined>): { name?: 'jira' | 'servicenow' | 'thehive'; missing: string[]; why: string } {
  const wanted = env.RIPOSTE_TICKETING?.trim();
  if (wanted) {
    const system = TICKET_SYSTEMS.find((s) => s.name === wanted);
    if (!system) return { missing: ['RIPOSTE_TICKETING (jira, servicenow or thehive)'], why: `RIPOSTE_TICKETING=${wanted} is not jira, servicenow or thehive` };
    const state = integrationState(system, env);
    return state.configured ? { name: system.name as 'jira', missing: [], why: '' } : { missing: state.missing, why: `RIPOSTE_TICKETING=${wanted}, but ${state.missing.join(', ')} unset` };
  }
  const first = TICKET_SYSTEMS.find((s) => integrationState(s, env).configured);
  return first ? { name: first.name as 'jira', missing: [], why: '' } : { missing: ['JIRA_* or SERVICENOW_* or THEHIVE_*'], why: 'no ticket system configured (Jira, ServiceNow or TheHive)' };
}

/** Integrations with some of their required settings and not the others: a mistake to say at start-up. */
export function partlyConfigured(env: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  for (const info of INTEGRATIONS) {
    const required = info.settings.filter((s) => s.required).map((s) => s.name);
    const present = required.filter((n) => env[n]?.trim());
    if (present.length > 0 && present.length < required.length) {
      problems.push(`${info.title.split(' (')[0]} is partly configured: set ${required.filter((n) => !present.includes(n)).join(', ')} too, or unset ${present.join(', ')}`);
    }
  }
  return problems;
}
