// Every activity the worker registers: the core integrations, wired here from their drivers
// (so tests can hand them stand-ins), and every integration in the catalog's REGISTRY, built
// from the environment. Workflows import only the *type* `Activities` from here, never the code.
import path from 'node:path';
import { createAbuseIpDbActivities } from './abuseipdb/index.ts';
import type { AbuseIpDbClient } from './abuseipdb/client.ts';
import { REGISTRY } from './catalog.ts';
import { createContainmentActivities } from './containment/index.ts';
import type { EgressBlocker } from './containment/types.ts';
import { createDnsActivities, type DnsOptions } from './dns/index.ts';
import type { IntegrationContext } from './shared/integration.ts';
import { createTicketingActivities } from './ticketing/index.ts';
import type { TicketSystem } from './ticketing/types.ts';
import { createVirusTotalActivities } from './virustotal/index.ts';
import type { VirusTotalClient } from './virustotal/client.ts';

export interface ActivityDeps {
  dns: DnsOptions;
  virustotal?: VirusTotalClient;
  abuseipdb?: AbuseIpDbClient;
  tickets?: TicketSystem;
  egress: EgressBlocker;
  /** What the registered integrations are built from (default: no configuration, ./data). */
  context?: Partial<IntegrationContext>;
}

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
type RegisteredActivities = UnionToIntersection<ReturnType<(typeof REGISTRY)[number]['activities']>>;

export function createActivities(deps: ActivityDeps) {
  const dataDir = deps.context?.dataDir ?? 'data';
  const ctx: IntegrationContext = { env: deps.context?.env ?? {}, dataDir, evidenceDir: deps.context?.evidenceDir ?? path.join(dataDir, 'evidence') };
  const registered = Object.assign({}, ...REGISTRY.map((i) => i.activities(ctx))) as RegisteredActivities;
  return {
    ...createDnsActivities(deps.dns),
    ...createVirusTotalActivities({ client: deps.virustotal }),
    ...createAbuseIpDbActivities({ client: deps.abuseipdb }),
    ...createTicketingActivities({ system: deps.tickets }),
    ...createContainmentActivities({ egress: deps.egress }),
    ...registered,
  };
}

export type Activities = ReturnType<typeof createActivities>;
