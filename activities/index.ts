// Every activity the worker registers: one spread line per integration.
// Workflows import only the *type* `Activities` from here, never the code.
import { createAbuseIpDbActivities } from './abuseipdb/index.ts';
import type { AbuseIpDbClient } from './abuseipdb/client.ts';
import { createContainmentActivities } from './containment/index.ts';
import type { EgressBlocker } from './containment/types.ts';
import type { FalconClient } from './crowdstrike/client.ts';
import { createCrowdStrikeActivities } from './crowdstrike/index.ts';
import type { DefenderClient } from './defender/client.ts';
import { createDefenderActivities } from './defender/index.ts';
import { createDnsActivities, type DnsOptions } from './dns/index.ts';
import type { SentinelClient } from './sentinel/client.ts';
import { createSentinelActivities } from './sentinel/index.ts';
import type { SentinelOneClient } from './sentinelone/client.ts';
import { createTeamsActivities, type TeamsOptions } from './teams/index.ts';
import type { TheHiveClient } from './thehive/client.ts';
import { createTheHiveActivities } from './thehive/index.ts';
import { createSentinelOneActivities } from './sentinelone/index.ts';
import type { ElasticDefendClient } from './elasticdefend/client.ts';
import { createElasticDefendActivities } from './elasticdefend/index.ts';
import type { ElasticsearchClient } from './elasticsearch/client.ts';
import { createEmailActivities, type EmailOptions } from './email/index.ts';
import { createElasticsearchActivities } from './elasticsearch/index.ts';
import { createImagingActivities, type ImagingOptions } from './imaging/index.ts';
import { createLogstoreActivities } from './logstore/index.ts';
import type { PagerDutyClient } from './pagerduty/client.ts';
import { createPagerDutyActivities } from './pagerduty/index.ts';
import type { SlackClient } from './slack/client.ts';
import { createSlackActivities } from './slack/index.ts';
import type { LogStore } from './logstore/store.ts';
import type { SplunkClient } from './splunk/client.ts';
import { createSplunkActivities } from './splunk/index.ts';
import type { GreyNoiseClient } from './greynoise/client.ts';
import { createGreyNoiseActivities } from './greynoise/index.ts';
import type { MispClient } from './misp/client.ts';
import { createMispActivities } from './misp/index.ts';
import type { OtxClient } from './otx/client.ts';
import { createOtxActivities } from './otx/index.ts';
import type { UrlhausClient } from './urlhaus/client.ts';
import { createUrlhausActivities } from './urlhaus/index.ts';
import { createTicketingActivities } from './ticketing/index.ts';
import type { TicketSystem } from './ticketing/types.ts';
import { createVirusTotalActivities } from './virustotal/index.ts';
import type { VirusTotalClient } from './virustotal/client.ts';

export interface ActivityDeps {
  dns: DnsOptions;
  virustotal?: VirusTotalClient;
  abuseipdb?: AbuseIpDbClient;
  greynoise?: GreyNoiseClient;
  urlhaus?: UrlhausClient;
  otx?: OtxClient;
  misp?: MispClient;
  logstore?: LogStore;
  elasticsearch?: ElasticsearchClient;
  splunk?: SplunkClient;
  sentinel?: { client: SentinelClient; tables?: string[] };
  /** Where disk images and the custody ledger go (default data/evidence). */
  imaging?: ImagingOptions;
  slack?: { client: SlackClient; channel?: string };
  pagerduty?: PagerDutyClient;
  email?: EmailOptions;
  teams?: TeamsOptions;
  crowdstrike?: FalconClient;
  defender?: DefenderClient;
  sentinelone?: SentinelOneClient;
  thehive?: TheHiveClient;
  elasticdefend?: ElasticDefendClient;
  tickets?: TicketSystem;
  egress: EgressBlocker;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createDnsActivities(deps.dns),
    ...createVirusTotalActivities({ client: deps.virustotal }),
    ...createAbuseIpDbActivities({ client: deps.abuseipdb }),
    ...createGreyNoiseActivities({ client: deps.greynoise }),
    ...createUrlhausActivities({ client: deps.urlhaus }),
    ...createOtxActivities({ client: deps.otx }),
    ...createMispActivities({ client: deps.misp }),
    ...createLogstoreActivities({ store: deps.logstore }),
    ...createElasticsearchActivities({ client: deps.elasticsearch }),
    ...createSplunkActivities({ client: deps.splunk }),
    ...createSentinelActivities(deps.sentinel ?? {}),
    ...createImagingActivities(deps.imaging ?? { evidenceDir: 'data/evidence' }),
    ...createSlackActivities(deps.slack ?? {}),
    ...createPagerDutyActivities({ client: deps.pagerduty }),
    ...createEmailActivities({ email: deps.email }),
    ...createTeamsActivities({ teams: deps.teams }),
    ...createCrowdStrikeActivities({ client: deps.crowdstrike, evidenceDir: deps.imaging?.evidenceDir }),
    ...createDefenderActivities({ client: deps.defender, evidenceDir: deps.imaging?.evidenceDir }),
    ...createSentinelOneActivities({ client: deps.sentinelone }),
    ...createTheHiveActivities({ client: deps.thehive }),
    ...createElasticDefendActivities({ client: deps.elasticdefend, evidenceDir: deps.imaging?.evidenceDir }),
    ...createTicketingActivities({ system: deps.tickets }),
    ...createContainmentActivities({ egress: deps.egress }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
