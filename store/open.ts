// Which store each process opens: SQLite files in the data directory (the embedded default), or
// one PostgreSQL database shared by every process (RIPOSTE_DATABASE_URL) — the same interfaces
// either way. Each store is opened on first use, so a process opens only what it needs.
import path from 'node:path';
import type { RiposteConfig } from '../config/index.ts';
import { Secret as SecretValue, type Secret } from '../config/secret.ts';
import { type AuditLog, auditFile, SqliteAuditLog } from './audit.ts';
import { type CaseRecordStore, SqliteCaseRecordStore } from './case-record.ts';
import { type IndicatorStore, indicatorsFile, SqliteIndicatorStore } from './indicators.ts';
import { type IntegrationStatusStore, SqliteIntegrationStatusStore } from './integration-status.ts';
import { PgAlertStore } from './postgres/alert-store.ts';
import { PgAuditLog } from './postgres/audit.ts';
import { PgCaseRecordStore } from './postgres/case-record.ts';
import { isPostgresUrl, PgDatabase } from './postgres/db.ts';
import { PgIndicatorStore } from './postgres/indicators.ts';
import { PgIntegrationStatusStore } from './postgres/integration-status.ts';
import { PgUserStore } from './postgres/users.ts';
import type { SqliteStoreOptions } from './sqlite.ts';
import { ThreadedAlertStore } from './threaded.ts';
import type { AlertStore } from './types.ts';
import { SqliteUserStore, type UserStore, usersFile } from './users.ts';

export interface StoreLocations {
  /** RIPOSTE_DATABASE_URL: every store in this PostgreSQL database; unset: SQLite files. */
  databaseUrl?: Secret;
  /** Riposte's tables in this schema (created when missing). */
  schema?: string;
  dataDir: string;
  /** The SQLite files, when not in their usual place in the data directory. */
  files?: Partial<Record<'alerts' | 'caseRecord' | 'users' | 'audit' | 'indicators' | 'integrations', string>>;
  sqlite?: SqliteStoreOptions;
  /** Who this process is, in PostgreSQL's pg_stat_activity (riposte-api, riposte-worker …). */
  applicationName?: string;
}

export interface Stores {
  readonly kind: 'sqlite' | 'postgres';
  alerts(): Promise<AlertStore>;
  caseRecord(): Promise<CaseRecordStore>;
  users(): Promise<UserStore>;
  audit(): Promise<AuditLog>;
  indicators(): Promise<IndicatorStore>;
  integrationStatus(): Promise<IntegrationStatusStore>;
  /** Closes what was opened (and the PostgreSQL pool). */
  close(): Promise<void>;
}

type Name = 'alerts' | 'caseRecord' | 'users' | 'audit' | 'indicators' | 'integrationStatus';
type Opened = { close(): Promise<void> };

export function openStores(o: StoreLocations): Stores {
  const opened = new Map<Name, Promise<Opened>>();
  let pg: Promise<PgDatabase> | undefined;
  const database = () => (pg ??= PgDatabase.connect((o.databaseUrl as Secret).reveal(), { applicationName: o.applicationName ?? 'riposte', ...(o.schema ? { schema: o.schema } : {}) }));
  const file = (name: keyof NonNullable<StoreLocations['files']>, fallback: string) => o.files?.[name] ?? fallback;
  const once = <T extends Opened>(name: Name, open: () => Promise<T>): (() => Promise<T>) => () => {
    let p = opened.get(name);
    if (!p) opened.set(name, (p = open()));
    return p as Promise<T>;
  };
  const onPg = o.databaseUrl !== undefined;
  return {
    kind: onPg ? 'postgres' : 'sqlite',
    alerts: once('alerts', async () => (onPg ? PgAlertStore.open(await database()) : ThreadedAlertStore.open(file('alerts', path.join(o.dataDir, 'riposte.db')), o.sqlite ?? {}))),
    caseRecord: once('caseRecord', async () => (onPg ? PgCaseRecordStore.open(await database()) : new SqliteCaseRecordStore(file('caseRecord', path.join(o.dataDir, 'cases.db'))))),
    users: once('users', async () => (onPg ? PgUserStore.open(await database()) : new SqliteUserStore(file('users', usersFile(o.dataDir))))),
    audit: once('audit', async () => (onPg ? PgAuditLog.open(await database()) : new SqliteAuditLog(file('audit', auditFile(o.dataDir))))),
    indicators: once('indicators', async () => (onPg ? PgIndicatorStore.open(await database()) : new SqliteIndicatorStore(file('indicators', indicatorsFile(o.dataDir))))),
    integrationStatus: once('integrationStatus', async () =>
      onPg ? PgIntegrationStatusStore.open(await database()) : new SqliteIntegrationStatusStore(file('integrations', path.join(o.dataDir, 'integrations.db')))
    ),
    async close() {
      for (const p of opened.values()) await (await p.catch(() => undefined))?.close();
      opened.clear();
      if (pg) await (await pg).close();
      pg = undefined;
    },
  };
}

/** Where a configured process keeps its stores (the variables in README "Configuration"). */
export function storeLocations(config: RiposteConfig, applicationName: string): StoreLocations {
  return {
    ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
    ...(config.databaseSchema ? { schema: config.databaseSchema } : {}),
    dataDir: config.dataDir,
    files: {
      alerts: config.ingest.storeFile,
      caseRecord: config.caseRecordFile,
      ...(process.env.RIPOSTE_USERS_FILE ? { users: process.env.RIPOSTE_USERS_FILE } : {}),
      ...(process.env.RIPOSTE_INDICATORS_FILE ? { indicators: process.env.RIPOSTE_INDICATORS_FILE } : {}),
      ...(process.env.RIPOSTE_AUDIT_FILE ? { audit: process.env.RIPOSTE_AUDIT_FILE } : {}),
    },
    sqlite: { synchronous: config.ingest.storeSync, groupCommitMs: config.ingest.storeGroupCommitMs },
    applicationName,
  };
}

/**
 * The stores a command-line tool opens (npm run users, npm run audit): the same variables as the
 * processes, read without the rest of their configuration.
 */
export function storesFromEnv(env: Record<string, string | undefined>, applicationName: string): Stores {
  const url = env.RIPOSTE_DATABASE_URL;
  if (url !== undefined && !isPostgresUrl(url)) throw new Error('RIPOSTE_DATABASE_URL must be a PostgreSQL URL: postgres://user:password@host:port/database');
  return openStores({
    ...(url ? { databaseUrl: new SecretValue(url) } : {}),
    ...(env.RIPOSTE_DATABASE_SCHEMA ? { schema: env.RIPOSTE_DATABASE_SCHEMA } : {}),
    dataDir: env.RIPOSTE_DATA_DIR || 'data',
    files: { ...(env.RIPOSTE_USERS_FILE ? { users: env.RIPOSTE_USERS_FILE } : {}), ...(env.RIPOSTE_AUDIT_FILE ? { audit: env.RIPOSTE_AUDIT_FILE } : {}) },
    applicationName,
  });
}
