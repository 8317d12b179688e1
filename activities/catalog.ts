// The integration catalog: every integration Riposte has, one line each. GET /v1/integrations,
// the worker's start-up log and the README's catalog come from here.
import { info as abuseipdb } from './abuseipdb/index.ts';
import { info as containment } from './containment/index.ts';
import { info as crowdstrike } from './crowdstrike/index.ts';
import { info as defender } from './defender/index.ts';
import { info as dns } from './dns/index.ts';
import { info as elasticdefend } from './elasticdefend/index.ts';
import { info as elasticsearch } from './elasticsearch/index.ts';
import { info as email } from './email/index.ts';
import { info as greynoise } from './greynoise/index.ts';
import { info as imaging } from './imaging/index.ts';
import { info as jira } from './jira/index.ts';
import { info as logstore } from './logstore/index.ts';
import { info as misp } from './misp/index.ts';
import { info as nftables } from './nftables/index.ts';
import { info as otx } from './otx/index.ts';
import { info as pagerduty } from './pagerduty/index.ts';
import type { IntegrationInfo } from './shared/integration.ts';
import { info as sentinel } from './sentinel/index.ts';
import { info as sentinelone } from './sentinelone/index.ts';
import { info as servicenow } from './servicenow/index.ts';
import { info as teams } from './teams/index.ts';
import { info as thehive } from './thehive/index.ts';
import { info as slack } from './slack/index.ts';
import { info as splunk } from './splunk/index.ts';
import { info as ticketing } from './ticketing/index.ts';
import { info as urlhaus } from './urlhaus/index.ts';
import { info as virustotal } from './virustotal/index.ts';

export const INTEGRATIONS: readonly IntegrationInfo[] = [dns, virustotal, abuseipdb, greynoise, urlhaus, otx, misp, logstore, elasticsearch, splunk, sentinel, imaging, elasticdefend, ticketing, jira, servicenow, thehive, containment, nftables, crowdstrike, defender, sentinelone, slack, teams, pagerduty, email];

const BY_ACTIVITY = new Map(INTEGRATIONS.flatMap((i) => i.activities.map((a) => [a, i.name] as const)));

/** The integration an activity belongs to. */
export function integrationOfActivity(activity: string): string | undefined {
  return BY_ACTIVITY.get(activity);
}
