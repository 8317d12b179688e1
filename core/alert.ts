// The native alert: what every source adapter produces and every playbook reads.
// Pure types and constants only — imported by api/, workflows/ and activities/ alike,
// so nothing here may import anything.

/** OCSF severity_id scale (Detection Finding, class 2004). */
export const Severity = {
  Unknown: 0,
  Informational: 1,
  Low: 2,
  Medium: 3,
  High: 4,
  Critical: 5,
  Fatal: 6,
  Other: 99,
} as const;
export type SeverityId = (typeof Severity)[keyof typeof Severity];

export const ObservableType = {
  ip: 'ip',
  domain: 'domain',
  url: 'url',
  hostname: 'hostname',
  user: 'user',
  email: 'email',
  hash: 'hash',
  cloudResource: 'cloud_resource',
} as const;
export type ObservableType = (typeof ObservableType)[keyof typeof ObservableType];

/** Where an observable stands in the alert, when the source says so. */
export const ObservableRole = { src: 'src', dst: 'dst', actor: 'actor', target: 'target' } as const;
export type ObservableRole = (typeof ObservableRole)[keyof typeof ObservableRole];

export interface Observable {
  type: ObservableType;
  value: string;
  role?: ObservableRole;
}

export interface AlertRule {
  name: string;
  uid?: string;
}

/** What every alert is held to, whichever adapter read it (longer text is cut, extra observables dropped). */
export const ALERT_LIMITS = {
  title: 512,
  ruleName: 256,
  sourceUid: 512,
  observables: 200,
  observableValue: 2048,
} as const;

/** The cloud account a finding is about (OCSF `cloud`). */
export interface AlertCloud {
  provider: string;
  account?: string;
  region?: string;
}

/**
 * The identity a cloud finding names (OCSF `actor.user`), when the source types it: the IAM
 * user, assumed role or root account behind an access key.
 */
export interface AlertPrincipal {
  type: 'user' | 'role' | 'root' | 'service' | 'unknown';
  /** The IAM user name, or the role name for an assumed role. */
  name?: string;
  accessKeyId?: string;
}

export interface NativeAlert {
  /** Riposte's id for the alert, derived from source + sourceUid. */
  id: string;
  /** The alert source (`ocsf`, `guardduty`, …). */
  source: string;
  /** The source's own unique id for the finding. */
  sourceUid: string;
  /** When the source observed it, ISO 8601. */
  time: string;
  severity_id: SeverityId;
  title: string;
  rule?: AlertRule;
  observables: Observable[];
  cloud?: AlertCloud;
  principal?: AlertPrincipal;
}

/** The rules of the alerts Riposte raises itself, which its playbooks route on. */
export const RiposteRule = {
  /** A domain the estate's DNS/proxy logs show for the first time (`npm run logs:import -- --alert`). */
  firstSeenDomain: { name: 'First-seen domain', uid: 'riposte:first-seen-domain' },
  /** A known indicator sighted in the logs by the IOC sweep (source `hunt`). */
  iocSweep: { uid: 'riposte:ioc-sweep' },
} as const;

export function severityName(id: number): string {
  for (const [name, value] of Object.entries(Severity)) if (value === id) return name;
  return 'Unknown';
}

/** The internal host an alert is about: the source side of the connection. */
export function alertHost(alert: Pick<NativeAlert, 'observables'>): { hostname?: string; ip?: string } {
  const src = alert.observables.filter((o) => o.role === ObservableRole.src);
  return {
    hostname: src.find((o) => o.type === ObservableType.hostname)?.value,
    ip: src.find((o) => o.type === ObservableType.ip)?.value,
  };
}

/** The remote side (destination) an alert names: IPs and domains. */
export function alertRemote(alert: Pick<NativeAlert, 'observables'>): { ips: string[]; domains: string[] } {
  const dst = alert.observables.filter((o) => o.role === ObservableRole.dst);
  return {
    ips: unique(dst.filter((o) => o.type === ObservableType.ip).map((o) => o.value)),
    domains: unique(dst.filter((o) => o.type === ObservableType.domain).map((o) => o.value)),
  };
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
