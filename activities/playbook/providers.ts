// Which providers answer each capability on this worker — "enrich this IP", "hunt", "collect
// memory", "isolate this host", "notify" — and, where none does, the variables that would enable
// one. Computed from the configuration; each playbook run records it once in its history.
import type { TargetKind } from '../../core/case.ts';
import { INTEGRATIONS } from '../catalog.ts';
import { integrationState } from '../shared/integration.ts';
import type { ContainmentProvider, PlaybookContext, Providers } from './types.ts';

type Env = Record<string, string | undefined>;

export interface CoreProviders {
  /** The core integrations wired in activities/index.ts (clients present or not). */
  virustotal: boolean;
  abuseipdb: boolean;
  firstSeen: boolean;
  /** The ticket system RIPOSTE_TICKETING chose, if any. */
  ticket: string | null;
  /** The egress driver on this worker (nftables), if any. */
  egress?: string;
  /** Drivers RIPOSTE_CONTAINMENT allows to act for real. */
  live: readonly string[];
}

/** Candidates per capability, in the order they are preferred. */
const CANDIDATES = {
  'enrich.ip': ['virustotal', 'abuseipdb', 'greynoise', 'otx', 'misp'],
  'enrich.domain': ['dns', 'virustotal', 'urlhaus', 'otx', 'misp'],
  'enrich.url': ['virustotal', 'urlhaus', 'otx', 'misp'],
  'enrich.hash': ['virustotal', 'otx', 'misp'],
  hunt: ['logstore', 'elasticsearch', 'splunk', 'sentinel'],
  'collect.memory': ['elasticdefend'],
  'collect.triage': ['defender'],
  'collect.disk': ['imaging'],
  'contain.host': ['crowdstrike', 'defender', 'sentinelone'],
  'contain.cloud': ['aws'],
  notify: ['slack', 'teams', 'email'],
  page: ['pagerduty'],
  ticket: ['jira', 'servicenow', 'thehive'],
} as const;

export function providersFor(env: Env, core: CoreProviders): Omit<PlaybookContext, 'settings'> {
  const configured = (name: string): boolean => {
    if (name === 'dns' || name === 'logstore') return true;
    if (name === 'virustotal') return core.virustotal;
    if (name === 'abuseipdb') return core.abuseipdb;
    // Disks are imaged on other hosts over SSH: the key and the pinned host keys are needed.
    if (name === 'imaging') return Boolean(env.RIPOSTE_SSH_KEY && env.RIPOSTE_SSH_KNOWN_HOSTS);
    const info = INTEGRATIONS.find((i) => i.name === name);
    return info ? integrationState(info, env).configured : false;
  };
  const pick = (cap: keyof typeof CANDIDATES) => CANDIDATES[cap].filter(configured) as string[];
  const unconfigured: Record<string, string[]> = {};
  const missing = (cap: keyof typeof CANDIDATES, list: string[]) => {
    if (list.filter((p) => p !== 'dns').length > 0) return;
    unconfigured[cap] = [...new Set(CANDIDATES[cap].flatMap((name) => variablesFor(name)))];
  };
  const contain = (kind: TargetKind, drivers: string[]): ContainmentProvider => {
    const driver = drivers[0];
    if (!driver) return { driver: 'log-only', live: false };
    return { driver, live: core.live.includes(driver) };
  };
  const hostEdr = pick('contain.host');
  const cloud = pick('contain.cloud');
  const providers: Providers = {
    enrich: { ip: pick('enrich.ip'), domain: pick('enrich.domain'), url: pick('enrich.url'), hash: pick('enrich.hash') },
    firstSeen: core.firstSeen,
    hunt: pick('hunt'),
    collect: { memory: pick('collect.memory'), triage: pick('collect.triage'), disk: pick('collect.disk') },
    contain: {
      egress: contain('egress', core.egress ? [core.egress] : []),
      host: contain('host', hostEdr),
      cloud_instance: contain('cloud_instance', cloud),
      cloud_credential: contain('cloud_credential', cloud),
    },
    notify: pick('notify'),
    page: pick('page'),
    ticket: core.ticket,
  };
  for (const cap of Object.keys(CANDIDATES) as Array<keyof typeof CANDIDATES>) {
    if (cap === 'ticket') {
      if (!core.ticket) unconfigured.ticket = CANDIDATES.ticket.flatMap((n) => variablesFor(n));
      continue;
    }
    missing(cap, pick(cap));
  }
  if (!providers.contain.egress.live) unconfigured['contain.egress'] = ['RIPOSTE_CONTAINMENT=nftables'];
  return { providers, unconfigured };
}

/** The required variables of an integration (what a skipped step names). */
function variablesFor(name: string): string[] {
  if (name === 'imaging') return ['RIPOSTE_SSH_KEY', 'RIPOSTE_SSH_KNOWN_HOSTS'];
  const info = INTEGRATIONS.find((i) => i.name === name);
  return info ? info.settings.filter((s) => s.required).map((s) => s.name) : [];
}
