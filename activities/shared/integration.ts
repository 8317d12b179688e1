// What every integration says about itself: the catalog entry behind GET /v1/integrations,
// the worker's start-up log and the README's catalog. Plain data; no secret ever appears here,
// only the names of the variables that hold them.
export type IntegrationCategory = 'enrichment' | 'hunting' | 'imaging' | 'ticketing' | 'containment' | 'notification';

export interface IntegrationSetting {
  /** The environment variable. */
  name: string;
  description: string;
  /** All required settings must be set for the integration to be active. */
  required?: boolean;
  /** Never shown, logged or put in history; only whether it is set. */
  secret?: boolean;
}

export interface RateLimit {
  /** Requests per interval, shared by all of the integration's activities in one worker. */
  limit: number;
  intervalMs: number;
}

export interface IntegrationInfo {
  /** Also the prefix of its activity names. */
  name: string;
  title: string;
  category: IntegrationCategory;
  docUrl: string;
  activities: readonly string[];
  settings: readonly IntegrationSetting[];
  /** The vendor's documented limit for the common tier; `<NAME>_RATE_LIMIT` (e.g. `4/min`) overrides it. */
  rateLimit?: RateLimit;
  /**
   * Its activities change hosts, networks or cloud accounts, or read raw disks: they run on the
   * privileged task queue (`<queue>-privileged`), on a worker that alone holds their credentials.
   * `true` for all of its activities, or the names of those that do.
   */
  privileged?: true | readonly string[];
}

/** What an integration's activities are built from: the environment and the worker's directories. */
export interface IntegrationContext {
  env: Record<string, string | undefined>;
  /** The data directory (data/ by default). */
  dataDir: string;
  /** Where acquisitions store evidence (data/evidence by default). */
  evidenceDir: string;
}

/**
 * A registered integration: its catalog entry and its activities. Unconfigured, its activities
 * still exist and answer `skipped`, so playbooks never depend on what happens to be configured.
 */
export interface Integration<A extends object = object> {
  info: IntegrationInfo;
  activities(ctx: IntegrationContext): A;
}

/** Keeps the activities' types for the `Activities` type workflows use. */
export function defineIntegration<A extends object>(i: Integration<A>): Integration<A> {
  return i;
}

export interface IntegrationState {
  configured: boolean;
  /** Required settings that are not set. */
  missing: string[];
  rateLimit?: RateLimit;
}

type Env = Record<string, string | undefined>;

const UNIT_MS: Record<string, number> = { s: 1000, sec: 1000, min: 60_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "4/min", "10/s", "1000/d" → a rate limit; undefined when the text is not one. */
export function parseRateLimit(text: string): RateLimit | undefined {
  const m = /^\s*(\d+)\s*\/\s*(s|sec|min|m|h|d)\s*$/.exec(text);
  if (!m || Number(m[1]) < 1) return undefined;
  return { limit: Number(m[1]), intervalMs: UNIT_MS[m[2] as string] as number };
}

export function rateLimitVariable(info: Pick<IntegrationInfo, 'name'>): string {
  return `${info.name.toUpperCase()}_RATE_LIMIT`;
}

/** Whether an integration is configured in this environment, and the limit it runs under. */
export function integrationState(info: IntegrationInfo, env: Env): IntegrationState {
  const missing = info.settings.filter((s) => s.required && !env[s.name]?.trim()).map((s) => s.name);
  const override = env[rateLimitVariable(info)];
  const rateLimit = (override ? parseRateLimit(override) : undefined) ?? info.rateLimit;
  return { configured: missing.length === 0, missing, ...(rateLimit ? { rateLimit } : {}) };
}

export function describeRateLimit(r: RateLimit | undefined): string {
  if (!r) return 'no limit';
  const unit = r.intervalMs === 1000 ? 's' : r.intervalMs === 60_000 ? 'min' : r.intervalMs === 3_600_000 ? 'h' : r.intervalMs === 86_400_000 ? 'day' : `${r.intervalMs} ms`;
  return `${r.limit}/${unit}`;
}

/** Whether an activity of this integration runs on the privileged task queue. */
export function isPrivileged(info: Pick<IntegrationInfo, 'privileged'>, activity: string): boolean {
  return info.privileged === true || (Array.isArray(info.privileged) && info.privileged.includes(activity));
}
