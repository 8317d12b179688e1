// Configuration for every Riposte process, from the environment, validated at start-up.
// Problems are collected and reported together; secrets are wrapped so they never print.
import path from 'node:path';
import { parseDuration } from '../core/duration.ts';
import { DEFAULT_SLA, parseSla, type SlaPolicy } from '../core/sla.ts';
import { Secret } from './secret.ts';
import { parsePayloadKeys, type PayloadKey } from './payload-codec.ts';
import { parseOidc, type OidcConfig } from './oidc.ts';

export { Secret };

/** Drivers RIPOSTE_CONTAINMENT may allow to act for real; `log-only` allows none. */
export const ContainmentDriver = { nftables: 'nftables', crowdstrike: 'crowdstrike', defender: 'defender', sentinelone: 'sentinelone', aws: 'aws' } as const;
export type ContainmentDriver = (typeof ContainmentDriver)[keyof typeof ContainmentDriver];

export { Role } from '../core/roles.ts';
import { Role } from '../core/roles.ts';

export interface TokenEntry {
  token: Secret;
  role: Role;
  /** Who holds it, for the audit trail (`token:role:name`; defaults to the role). */
  name: string;
}

export interface TemporalConfig {
  /** Set when pointing at an existing cluster; unset means the embedded dev server. */
  address?: string;
  namespace: string;
  taskQueue: string;
  apiKey?: Secret;
  tls?: { serverName?: string; serverRootCaPath?: string; clientCertPath?: string; clientKeyPath?: string };
  devServer: { port: number; uiPort: number };
  /**
   * Riposte's search attributes on case and playbook workflows (RIPOSTE_SEARCH_ATTRIBUTES):
   * `auto` sets them when the namespace has them registered (the dev server always does), `off` never.
   */
  searchAttributes: 'auto' | 'off';
}


export interface RiposteConfig {
  port: number;
  host: string;
  dataDir: string;
  /**
   * RIPOSTE_DATABASE_URL (postgres://user:password@host:port/db): every store — alerts, case
   * record, users, audit, indicators, integration status — in one PostgreSQL database shared by
   * every process; unset: SQLite files in the data directory.
   */
  databaseUrl?: Secret;
  /** RIPOSTE_DATABASE_SCHEMA: Riposte's tables in this schema of that database (created when missing); default: the user's search_path. */
  databaseSchema?: string;
  /** The case record (SQLite): every fact of every case (RIPOSTE_CASE_RECORD_FILE; default cases.db in the data directory). */
  caseRecordFile: string;
  tokens?: TokenEntry[];
  logLevel: string;
  maxBodyBytes: number;
  /** Requests per minute each person or token may make to the analyst API (0: no limit). */
  apiRateLimit: number;
  /** Service levels per severity (RIPOSTE_SLA). */
  sla: SlaPolicy;
  /** Keys sealing workflow payloads (RIPOSTE_PAYLOAD_KEYS; the first seals, all open); none: payloads in clear. */
  payloadKeys?: PayloadKey[];
  /** Browser origins allowed to call the codec endpoint (RIPOSTE_CODEC_CORS_ORIGINS; default: the dev server's UI). */
  codecOrigins: string[];
  /** Single sign-on for people (RIPOSTE_OIDC_*); undefined: tokens only. */
  oidc?: OidcConfig;
  /** How long an idle case's record is kept (RIPOSTE_CASE_RECORD_RETENTION); undefined: for ever. */
  caseRecordRetentionMs?: number;
  temporal: TemporalConfig;
  /** `live`: the drivers allowed to act for real (empty: log-only, every action simulated). */
  containment: { live: ContainmentDriver[]; nftNetns?: string; nftTable: string };
  dns: { servers?: string[]; timeoutMs: number };
  playbooks: { approvalTimeout: string; c2OnTimeout: 'contain' | 'none' };
  ingest: IngestConfig;
  /**
   * RIPOSTE_WORKER_CACHED_WORKFLOWS: workflows a worker keeps in memory between their tasks. Past
   * it the least recently used is evicted and replayed from its history when it next has work — an
   * idle case waiting for later alerts, a run waiting for its approval.
   */
  worker: { cachedWorkflows: number };
  /**
   * The triage learner (api/triage.ts): RIPOSTE_CRITICAL_ASSETS raise a case's priority;
   * RIPOSTE_TRIAGE_WARM_ALERTS newest alerts warm it on start; RIPOSTE_TRIAGE_REFRESH rebuilds it.
   */
  triage: { criticalAssets: string[]; warmAlerts: number; refreshMs: number; autoCloseAt?: number };
  telemetry: { exporter: 'none' | 'otlp'; otlpEndpoint?: string; serviceName: string };
}

export interface IngestConfig {
  /** The alert store (SQLite) file. */
  storeFile: string;
  storeSync: 'full' | 'normal';
  /** How long a write may wait for others to share its commit, under load. */
  storeGroupCommitMs: number;
  /** Per-source HMAC secrets; several per source allow rotation. */
  sourceSecrets: Record<string, Secret[]>;
  /** JSON file of suppression rules, re-read when it changes. */
  suppressionsFile?: string;
  dedupWindowMs: number;
  correlationWindowMs: number;
  /** Undispatched alerts beyond which ingest answers 429. */
  maxBacklog: number;
  /** Raw payload kept per alert, at most. */
  rawMaxBytes: number;
  /** Least time between two batches to one case. */
  dispatchIntervalMs: number;
  /** Signals per second to all case workflows together, at most. */
  dispatchMaxRate: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;


export function loadConfig(env: Env = process.env): RiposteConfig {
  const problems: string[] = [];
  const get = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v === undefined || v === '' ? undefined : v;
  };
  const int = (name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number => {
    const raw = get(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name} must be an integer between ${min} and ${max} (got "${raw}")`);
      return fallback;
    }
    return n;
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const raw = get(name);
    if (raw === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(raw)) {
      problems.push(`${name} must be one of ${allowed.join(', ')} (got "${raw}")`);
      return fallback;
    }
    return raw as T;
  };
  const url = (name: string, fallback?: string): string | undefined => {
    const raw = get(name) ?? fallback;
    if (raw === undefined) return undefined;
    try {
      const u = new URL(raw);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
      return raw.replace(/\/+$/, '');
    } catch {
      problems.push(`${name} must be an http(s) URL (got "${raw}")`);
      return undefined;
    }
  };
  const duration = (name: string, fallback: string): string => {
    const raw = get(name) ?? fallback;
    if (parseDuration(raw) === undefined) problems.push(`${name} must be a duration like 90s, 30m, 2h (got "${raw}")`);
    return raw;
  };
  const durationMs = (name: string, fallback: string): number => parseDuration(duration(name, fallback)) ?? 0;

  const dataDir = path.resolve(get('RIPOSTE_DATA_DIR') ?? 'data');
  const databaseUrl = get('RIPOSTE_DATABASE_URL');
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\/[^/]+\/[^/?]+/.test(databaseUrl)) problems.push('RIPOSTE_DATABASE_URL must be a PostgreSQL URL: postgres://user:password@host:port/database');
  const databaseSchema = get('RIPOSTE_DATABASE_SCHEMA');
  if (databaseSchema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(databaseSchema)) problems.push(`RIPOSTE_DATABASE_SCHEMA must be a lower-case SQL name (got "${databaseSchema}")`);
  const tokens = parseTokens(get('RIPOSTE_TOKENS'), problems);

  const tlsOn = get('TEMPORAL_TLS') === 'true' || get('TEMPORAL_TLS_CERT_PATH') !== undefined;
  const apiKey = get('TEMPORAL_API_KEY');
  const temporal: TemporalConfig = {
    address: get('TEMPORAL_ADDRESS'),
    namespace: get('TEMPORAL_NAMESPACE') ?? 'default',
    taskQueue: get('RIPOSTE_TASK_QUEUE') ?? 'riposte',
    apiKey: apiKey ? new Secret(apiKey) : undefined,
    tls:
      tlsOn || apiKey
        ? {
            serverName: get('TEMPORAL_TLS_SERVER_NAME'),
            serverRootCaPath: get('TEMPORAL_TLS_SERVER_CA_CERT_PATH'),
            clientCertPath: get('TEMPORAL_TLS_CERT_PATH'),
            clientKeyPath: get('TEMPORAL_TLS_KEY_PATH'),
          }
        : undefined,
    devServer: { port: int('RIPOSTE_TEMPORAL_PORT', 7233, 1, 65535), uiPort: int('RIPOSTE_TEMPORAL_UI_PORT', 8233, 1, 65535) },
    searchAttributes: get('RIPOSTE_SEARCH_ATTRIBUTES') === 'off' ? 'off' : 'auto',
  };
  const sa = get('RIPOSTE_SEARCH_ATTRIBUTES');
  if (sa !== undefined && sa !== 'auto' && sa !== 'off') problems.push('RIPOSTE_SEARCH_ATTRIBUTES must be auto or off');
  if (temporal.tls && Boolean(temporal.tls.clientCertPath) !== Boolean(temporal.tls.clientKeyPath)) {
    problems.push('TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH go together');
  }

  const live = containmentDrivers(get('RIPOSTE_CONTAINMENT'), problems);
  const nftNetns = get('RIPOSTE_NFT_NETNS');
  if (nftNetns !== undefined && !/^[A-Za-z0-9_.-]{1,64}$/.test(nftNetns)) problems.push('RIPOSTE_NFT_NETNS is not a valid namespace name');
  const nftTable = get('RIPOSTE_NFT_TABLE') ?? 'riposte';
  if (!/^[A-Za-z][A-Za-z0-9_]{0,31}$/.test(nftTable)) problems.push('RIPOSTE_NFT_TABLE must be a plain identifier');

  const dnsServers = get('RIPOSTE_DNS_SERVERS')?.split(',').map((s) => s.trim()).filter(Boolean);

  const sourceSecrets: Record<string, Secret[]> = {};
  get('RIPOSTE_SOURCE_SECRETS')?.split(',').forEach((pair, i) => {
    const at = pair.indexOf(':');
    const source = pair.slice(0, at).trim();
    const secret = pair.slice(at + 1).trim();
    if (at <= 0 || !/^[a-z0-9-]+$/.test(source) || secret.length < 16) {
      problems.push(`RIPOSTE_SOURCE_SECRETS entry ${i + 1} must be source:secret with a secret of at least 16 characters`);
      return;
    }
    (sourceSecrets[source] ??= []).push(new Secret(secret));
  });
  const ingest: IngestConfig = {
    storeFile: path.resolve(get('RIPOSTE_STORE_FILE') ?? path.join(dataDir, 'riposte.db')),
    storeSync: oneOf('RIPOSTE_STORE_SYNC', ['full', 'normal'] as const, 'full'),
    storeGroupCommitMs: durationMs('RIPOSTE_STORE_GROUP_COMMIT', '10ms'),
    sourceSecrets,
    suppressionsFile: get('RIPOSTE_SUPPRESSIONS') ? path.resolve(get('RIPOSTE_SUPPRESSIONS') as string) : undefined,
    dedupWindowMs: durationMs('RIPOSTE_DEDUP_WINDOW', '24h'),
    correlationWindowMs: durationMs('RIPOSTE_CORRELATION_WINDOW', '1h'),
    maxBacklog: int('RIPOSTE_MAX_BACKLOG', 10_000, 1),
    rawMaxBytes: int('RIPOSTE_RAW_MAX_BYTES', 64 * 1024, 0, 16 * 1024 * 1024),
    dispatchIntervalMs: durationMs('RIPOSTE_DISPATCH_INTERVAL', '1s'),
    dispatchMaxRate: int('RIPOSTE_DISPATCH_MAX_RATE', 20, 1, 10_000),
  };

  const retention = get('RIPOSTE_CASE_RECORD_RETENTION') ?? 'forever';
  const retentionMs = retention === 'forever' ? undefined : parseDuration(retention);
  if (retention !== 'forever' && (retentionMs === undefined || retentionMs < 86_400_000)) problems.push(`RIPOSTE_CASE_RECORD_RETENTION must be forever or a duration of a day or more (got "${retention}")`);

  const payloadKeys = get('RIPOSTE_PAYLOAD_KEYS') ? parsePayloadKeys(get('RIPOSTE_PAYLOAD_KEYS') as string) : undefined;
  if (payloadKeys && 'problem' in payloadKeys) problems.push(payloadKeys.problem);

  const slaParsed = parseSla(get('RIPOSTE_SLA') ?? DEFAULT_SLA);
  if ('problem' in slaParsed) problems.push(slaParsed.problem);

  const exporter = oneOf('OTEL_TRACES_EXPORTER', ['none', 'otlp'] as const, 'none');
  const port = int('RIPOSTE_PORT', 8080, 0, 65535);
  const host = get('RIPOSTE_HOST') ?? '127.0.0.1';
  const oidc = parseOidc(get, { host, port }, problems);
  const config: RiposteConfig = {
    port,
    host,
    ...(oidc ? { oidc } : {}),
    dataDir,
    ...(databaseUrl ? { databaseUrl: new Secret(databaseUrl) } : {}),
    ...(databaseSchema ? { databaseSchema } : {}),
    caseRecordFile: path.resolve(get('RIPOSTE_CASE_RECORD_FILE') ?? path.join(dataDir, 'cases.db')),
    tokens,
    logLevel: oneOf('RIPOSTE_LOG_LEVEL', ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const, 'info'),
    maxBodyBytes: int('RIPOSTE_MAX_BODY_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
    apiRateLimit: int('RIPOSTE_API_RATE_LIMIT', 600, 0, 1_000_000),
    sla: 'policy' in slaParsed ? slaParsed.policy : {},
    ...(retentionMs !== undefined ? { caseRecordRetentionMs: retentionMs } : {}),
    ...(payloadKeys && 'keys' in payloadKeys ? { payloadKeys: payloadKeys.keys } : {}),
    codecOrigins: codecOrigins(get('RIPOSTE_CODEC_CORS_ORIGINS'), temporal, problems),
    temporal,
    containment: { live, nftNetns, nftTable },
    dns: { servers: dnsServers, timeoutMs: int('RIPOSTE_DNS_TIMEOUT_MS', 3000, 100, 60000) },
    playbooks: {
      approvalTimeout: duration('RIPOSTE_APPROVAL_TIMEOUT', '30m'),
      c2OnTimeout: oneOf('RIPOSTE_C2_ON_TIMEOUT', ['contain', 'none'] as const, 'none'),
    },
    ingest,
    worker: { cachedWorkflows: int('RIPOSTE_WORKER_CACHED_WORKFLOWS', DEFAULT_CACHED_WORKFLOWS, 1, 100_000) },
    triage: {
      criticalAssets: (get('RIPOSTE_CRITICAL_ASSETS') ?? '').split(',').map((s) => s.trim()).filter(Boolean),
      warmAlerts: int('RIPOSTE_TRIAGE_WARM_ALERTS', 200_000, 0, 10_000_000),
      refreshMs: parseDuration(duration('RIPOSTE_TRIAGE_REFRESH', '15m')) ?? 15 * 60_000,
      ...autoCloseAt(get('RIPOSTE_TRIAGE_AUTO_CLOSE'), problems),
    },
    telemetry: {
      exporter,
      otlpEndpoint: url('OTEL_EXPORTER_OTLP_ENDPOINT'),
      serviceName: get('OTEL_SERVICE_NAME') ?? 'riposte',
    },
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** RIPOSTE_TRIAGE_AUTO_CLOSE: `off` (the default) or the false-positive likelihood from which alerts are auto-closed (0.5–1). */
function autoCloseAt(raw: string | undefined, problems: string[]): { autoCloseAt?: number } {
  if (raw === undefined || raw === 'off') return {};
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0.5 || n > 1) {
    problems.push(`RIPOSTE_TRIAGE_AUTO_CLOSE must be off or a likelihood between 0.5 and 1 (got "${raw}")`);
    return {};
  }
  return { autoCloseAt: n };
}

/** Workflows a worker keeps cached (docs/PERFORMANCE.md: what an open case costs in memory). */
export const DEFAULT_CACHED_WORKFLOWS = 250;

/** The Temporal UI's origins by default (the dev server's, on this host); a listed origin is scheme://host[:port]. */
function codecOrigins(raw: string | undefined, temporal: TemporalConfig, problems: string[]): string[] {
  if (raw === undefined) return temporal.address ? [] : [`http://127.0.0.1:${temporal.devServer.uiPort}`, `http://localhost:${temporal.devServer.uiPort}`];
  const origins = raw.split(',').map((o) => o.trim()).filter(Boolean);
  for (const o of origins) if (!/^https?:\/\/[^/\s]+$/.test(o)) problems.push(`RIPOSTE_CODEC_CORS_ORIGINS: "${o}" is not an origin (scheme://host[:port])`);
  return origins;
}

/** RIPOSTE_CONTAINMENT: `log-only` (the default) or a list of drivers, e.g. `nftables,aws,crowdstrike`. */
function containmentDrivers(raw: string | undefined, problems: string[]): ContainmentDriver[] {
  if (raw === undefined || raw === 'log-only') return [];
  const names = raw.split(',').map((s) => s.trim()).filter(Boolean);
  const known = Object.values(ContainmentDriver) as string[];
  const bad = names.filter((n) => !known.includes(n));
  if (bad.length) problems.push(`RIPOSTE_CONTAINMENT must be log-only or a list of ${known.join(', ')} (unknown: ${bad.join(', ')})`);
  return [...new Set(names.filter((n) => known.includes(n)))] as ContainmentDriver[];
}

function parseTokens(raw: string | undefined, problems: string[]): TokenEntry[] | undefined {
  if (raw === undefined) return undefined;
  const entries: TokenEntry[] = [];
  raw.split(',').forEach((pair, i) => {
    const [token, role, name] = pair.trim().split(':');
    if (!token || !role || !(Object.values(Role) as string[]).includes(role)) {
      problems.push(`RIPOSTE_TOKENS entry ${i + 1} must be token:role with role one of ${Object.values(Role).join(', ')}`);
      return;
    }
    if (token.length < 16) problems.push(`RIPOSTE_TOKENS entry ${i + 1}: tokens must be at least 16 characters`);
    entries.push({ token: new Secret(token), role: role as Role, name: name || role });
  });
  return entries;
}
