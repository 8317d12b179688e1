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
import type { IntegrationInfo } from './shared/integration.ts';
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
