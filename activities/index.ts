// Every activity the workers register: the core integrations, wired here from their drivers
// (so tests can hand them stand-ins), every integration in the catalog's REGISTRY, built from the
// environment, and the capabilities playbooks ask for — enrich, hunt, collect, contain, notify —
// built on top of them. Workflows import only the *type* `Activities` from here, never the code.
import path from 'node:path';
import { createAbuseIpDbActivities } from './abuseipdb/index.ts';
import type { AbuseIpDbClient } from './abuseipdb/client.ts';
import { createCaseRecordActivities } from './case-record/index.ts';
import { createCollectionActivities } from './collection/index.ts';
import { createContainmentActivities, type ContainmentDrivers } from './containment/index.ts';
import { NeverContain } from './containment/never-contain.ts';
import type { EgressBlocker } from './containment/types.ts';
import { createDnsActivities, type DnsOptions } from './dns/index.ts';
import { createEnrichmentActivities } from './enrichment/index.ts';
import { createHuntingActivities } from './hunting/index.ts';
import { createNotificationActivities } from './notification/index.ts';
import { createPlaybookActivities } from './playbook/index.ts';
import { createSweepActivities } from './sweep/index.ts';
import { providersFor } from './playbook/providers.ts';
import { integrationState, type IntegrationContext } from './shared/integration.ts';
import { INTEGRATIONS, REGISTRY } from './catalog.ts';
import { createTicketingActivities } from './ticketing/index.ts';
import type { TicketSystem } from './ticketing/types.ts';
import { createVirusTotalActivities } from './virustotal/index.ts';
import type { VirusTotalClient } from './virustotal/client.ts';
import { type CaseRecordStore, caseRecordFile, SqliteCaseRecordStore } from '../store/case-record.ts';
import type { Stores } from '../store/open.ts';
import type { WorkerMetrics } from '../telemetry/metrics.ts';

export interface ActivityDeps {
  dns: DnsOptions;
  virustotal?: VirusTotalClient;
  abuseipdb?: AbuseIpDbClient;
  tickets?: TicketSystem;
  /** The egress driver: nftables, or the log-only recorder version-1 runs still call. */
  egress?: EgressBlocker;
  containment?: {
    /** Drivers allowed to act for real (RIPOSTE_CONTAINMENT); default: the injected egress driver. */
    live?: readonly string[];
    neverContain?: NeverContain;
  };
  /**
   * Which worker these activities serve. A main worker of a split deployment does not know the
   * privileged worker's collectors and drivers: its runs ask the privileged worker for them.
   */
  workerRole?: 'all' | 'main' | 'privileged';
  /** Prometheus: integration calls, playbook runs, approval decisions (RIPOSTE_WORKER_METRICS_PORT). */
  metrics?: WorkerMetrics;
  /** Where playbooks write their cases' facts (default: cases.db in the data directory, opened on first use). */
  caseRecord?: CaseRecordStore;
  /** The stores as configured (SQLite or PostgreSQL): the case record and indicators come from here when given. */
  stores?: Pick<Stores, 'caseRecord' | 'indicators'>;
  /** What the registered integrations are built from (default: no configuration, ./data). */
  context?: Partial<IntegrationContext>;
}

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
type RegisteredActivities = UnionToIntersection<ReturnType<(typeof REGISTRY)[number]['activities']>>;

type AnyActivity = (...args: never[]) => Promise<unknown>;

/**
 * Builds every activity. `wrap` (the worker's status keeping) is applied to the vendor activities
 * before the capabilities are built on them, so a lookup made through `enrichmentLookup` still
 * counts as VirusTotal's success or failure.
 */
export function createActivities(deps: ActivityDeps, wrap: <A extends Record<string, AnyActivity>>(a: A) => A = (a) => a) {
  const dataDir = deps.context?.dataDir ?? 'data';
  const env = deps.context?.env ?? {};
  const ctx: IntegrationContext = { env, dataDir, evidenceDir: deps.context?.evidenceDir ?? path.join(dataDir, 'evidence') };
  const registered = Object.assign({}, ...REGISTRY.map((i) => i.activities(ctx))) as RegisteredActivities;
  const vendors = wrap({
    ...createDnsActivities(deps.dns),
    ...createVirusTotalActivities({ client: deps.virustotal }),
    ...createAbuseIpDbActivities({ client: deps.abuseipdb }),
    ...createTicketingActivities({ system: deps.tickets }),
    ...registered,
  });

  const egressDriver = deps.egress && deps.egress.name !== 'log-only' ? deps.egress.name : undefined;
  const live = deps.containment?.live ?? (egressDriver ? [egressDriver] : []);
  const providers = () =>
    providersFor(env, { virustotal: Boolean(deps.virustotal), abuseipdb: Boolean(deps.abuseipdb), firstSeen: Boolean(deps.dns.firstSeen), ticket: deps.tickets?.name ?? null, egress: egressDriver, live });
  const v = vendors as unknown as Record<string, (input: Record<string, unknown>) => Promise<{ status: string } & Record<string, unknown>>>;
  const drivers: ContainmentDrivers = {
    ...(deps.egress ? { egress: deps.egress } : {}),
    edr: {
      crowdstrike: { isolate: v.crowdstrikeContainHost as never, release: v.crowdstrikeLiftContainment as never },
      defender: { isolate: v.defenderIsolateMachine as never, release: v.defenderReleaseMachine as never },
      sentinelone: { isolate: v.sentineloneDisconnectAgent as never, release: v.sentineloneReconnectAgent as never },
    },
    aws: Object.fromEntries(Object.entries(v).filter(([name]) => name.startsWith('aws'))),
  };

  let record: Promise<CaseRecordStore> | undefined = deps.caseRecord && Promise.resolve(deps.caseRecord);
  const caseRecord = () => (record ??= deps.stores ? deps.stores.caseRecord() : Promise.resolve(new SqliteCaseRecordStore(caseRecordFile(dataDir))));
  return {
    ...vendors,
    ...createCaseRecordActivities({ store: caseRecord, ...(deps.metrics ? { metrics: deps.metrics } : {}) }),
    ...createPlaybookActivities({ env, providers, split: deps.workerRole === 'main' }),
    ...createEnrichmentActivities(vendors),
    ...createHuntingActivities(vendors as unknown as Parameters<typeof createHuntingActivities>[0]),
    ...createCollectionActivities(vendors, { evidenceDir: ctx.evidenceDir, ...(env.RIPOSTE_IMAGING_DEVICE ? { defaultDevice: env.RIPOSTE_IMAGING_DEVICE } : {}) }),
    ...createNotificationActivities(vendors, env.RIPOSTE_PUBLIC_URL ? { publicUrl: env.RIPOSTE_PUBLIC_URL } : {}),
    ...createSweepActivities({
      env,
      dataDir,
      feeds: { misp: vendors.mispRecentIndicators, otx: vendors.otxSubscribedIndicators, urlhaus: vendors.urlhausRecentIndicators },
      ...(deps.stores ? { store: deps.stores.indicators } : {}),
      configured: (name) => {
        const info = INTEGRATIONS.find((i) => i.name === name);
        return info ? integrationState(info, env).configured : false;
      },
    }),
    ...createContainmentActivities({
      drivers,
      providers: () => providers().providers.contain,
      neverContain: deps.containment?.neverContain ?? NeverContain.fromEnv(env),
    }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
