// The integration catalog with clients: REGISTRY registers an integration — one line each, its
// info (activities/<name>/info.ts, listed in catalog-info.ts in the same order) with how its
// client and activities are built — for the worker's activities, start-up log and status.
import { integration as aws } from './aws/index.ts';
import { integration as crowdstrike } from './crowdstrike/index.ts';
import { integration as defender } from './defender/index.ts';
import { integration as elasticdefend } from './elasticdefend/index.ts';
import { integration as elasticsearch } from './elasticsearch/index.ts';
import { integration as email } from './email/index.ts';
import { integration as greynoise } from './greynoise/index.ts';
import { integration as imaging } from './imaging/index.ts';
import { integration as logstore } from './logstore/index.ts';
import { integration as misp } from './misp/index.ts';
import { integration as otx } from './otx/index.ts';
import { integration as pagerduty } from './pagerduty/index.ts';
import { isPrivileged } from './shared/integration.ts';
import { CAPABILITIES, INTEGRATIONS } from './catalog-info.ts';
import { integration as sentinel } from './sentinel/index.ts';
import { integration as sentinelone } from './sentinelone/index.ts';
import { integration as slack } from './slack/index.ts';
import { integration as splunk } from './splunk/index.ts';
import { integration as teams } from './teams/index.ts';
import { integration as thehive } from './thehive/index.ts';
import { integration as urlhaus } from './urlhaus/index.ts';

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

export { CAPABILITIES, INTEGRATIONS };

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
