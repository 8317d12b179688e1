// The integration catalog. REGISTRY is where an integration is registered — one line each —
// and everything else follows from it: its activities on the worker, GET /v1/integrations, the
// worker's start-up log, the status of its last success and failure.
import { info as abuseipdb } from './abuseipdb/index.ts';
import { integration as aws } from './aws/index.ts';
import { info as containment } from './containment/index.ts';
import { integration as crowdstrike } from './crowdstrike/index.ts';
import { integration as defender } from './defender/index.ts';
import { info as dns } from './dns/index.ts';
import { integration as elasticdefend } from './elasticdefend/index.ts';
import { integration as elasticsearch } from './elasticsearch/index.ts';
import { integration as email } from './email/index.ts';
import { integration as greynoise } from './greynoise/index.ts';
import { integration as imaging } from './imaging/index.ts';
import { info as jira } from './jira/index.ts';
import { integration as logstore } from './logstore/index.ts';
import { integration as misp } from './misp/index.ts';
import { info as nftables } from './nftables/index.ts';
import { integration as otx } from './otx/index.ts';
import { integration as pagerduty } from './pagerduty/index.ts';
import { isPrivileged, type IntegrationInfo } from './shared/integration.ts';
import { info as collection } from './collection/index.ts';
import { info as enrichment } from './enrichment/index.ts';
import { info as hunting } from './hunting/index.ts';
import { info as notification } from './notification/index.ts';
import { info as playbook } from './playbook/index.ts';
import { info as caseRecord } from './case-record/index.ts';
import { info as sweep } from './sweep/index.ts';
import { integration as sentinel } from './sentinel/index.ts';
import { integration as sentinelone } from './sentinelone/index.ts';
import { info as servicenow } from './servicenow/index.ts';
import { integration as slack } from './slack/index.ts';
import { integration as splunk } from './splunk/index.ts';
import { integration as teams } from './teams/index.ts';
import { integration as thehive } from './thehive/index.ts';
import { info as ticketing } from './ticketing/index.ts';
import { integration as urlhaus } from './urlhaus/index.ts';
import { info as virustotal } from './virustotal/index.ts';

/** Integrations built from the environment alone. */
export const REGISTRY = [
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
] as const;

/**
 * Every integration's catalog entry. The core ones — DNS, VirusTotal, AbuseIPDB (the C2
 * playbook's enrichment), ticketing and containment with the drivers behind them — are wired in
 * activities/index.ts, where tests can hand them stand-ins.
 */
export const INTEGRATIONS: readonly IntegrationInfo[] = [dns, virustotal, abuseipdb, ...REGISTRY.map((i) => i.info), ticketing, jira, servicenow, containment, nftables];

/**
 * What playbooks ask for, built on the integrations above: a run's context, enrich, hunt,
 * collect, contain (the containment entry above) and notify. Not integrations of their own, so
 * not in GET /v1/integrations; here so every activity has an owner and a task queue.
 */
export const CAPABILITIES: readonly IntegrationInfo[] = [playbook, caseRecord, enrichment, hunting, collection, notification, sweep];

const BY_ACTIVITY = new Map([...INTEGRATIONS, ...CAPABILITIES].flatMap((i) => i.activities.map((a) => [a, i] as const)));

/** The integration an activity belongs to. */
export function integrationOfActivity(activity: string): string | undefined {
  const owner = BY_ACTIVITY.get(activity);
  return owner && !CAPABILITIES.includes(owner) ? owner.name : undefined;
}

/**
 * Whether an activity runs on the privileged task queue: it changes hosts, networks or cloud
 * accounts, or reads raw disks (its integration says so).
 */
export function activityIsPrivileged(activity: string): boolean {
  const owner = BY_ACTIVITY.get(activity);
  return owner ? isPrivileged(owner, activity) : false;
}
