// The Riposte API under test: createApp on an ephemeral loopback port with known tokens, a
// real SQLite alert store in a temporary directory, and the real dispatcher to Temporal.
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { createApp } from '../../api/app.ts';
import { Dispatcher } from '../../api/ingest/dispatcher.ts';
import { searchAttributesRegistered } from '../../api/search-attributes.ts';
import { RunWatch } from '../../api/run-watch.ts';
import { SuppressionRules } from '../../api/ingest/rules.ts';
import { Triage } from '../../api/triage.ts';
import { loadConfig, type IngestConfig } from '../../config/index.ts';
import { Secret } from '../../config/secret.ts';
import type { IndicatorStore } from '../../store/indicators.ts';
import type { AlertStore } from '../../store/types.ts';
import type { CaseRecordStore } from '../../store/case-record.ts';
import { testCaseRecord } from './temporal.ts';
import { testStores } from './postgres.ts';
import type { Stores } from '../../store/open.ts';
import { createApiMetrics, type ApiMetrics } from '../../telemetry/metrics.ts';
import { CaseService } from '../../api/cases.ts';
import { CaseEvents } from '../../api/case-events.ts';
import { SlaWatch } from '../../api/sla-watch.ts';
import type { SlaPolicy } from '../../core/sla.ts';
import type { PayloadCodec } from '@temporalio/common';
import type { AuditLog } from '../../store/audit.ts';
import type { UserStore } from '../../store/users.ts';
import { OidcSignIn } from '../../api/auth/oidc.ts';
import { createLogger } from '../../telemetry/logger.ts';
import type { CaseSettings } from '../../workflows/definitions.ts';
import { integrationViews } from '../../api/integrations.ts';
import { slackInteractionSettings } from '../../api/routes/slack.ts';

export const TOKENS = {
  source: 'test-source-token-0123456789',
  analyst: 'test-analyst-token-0123456789',
  analyst2: 'test-analyst2-token-0123456789',
  viewer: 'test-viewer-token-0123456789',
  admin: 'test-admin-token-0123456789',
};

export interface TestApi {
  url: string;
  store: AlertStore;
  record: CaseRecordStore;
  slaWatch: SlaWatch;
  /** Records the end of runs that ended outside Riposte; runs only when asked (`api.runWatch.tick()`), with no grace period. */
  runWatch: RunWatch;
  metrics: ApiMetrics;
  users: UserStore;
  audit: AuditLog;
  rules: SuppressionRules;
  dispatcher: Dispatcher;
  indicators: IndicatorStore;
  dataDir: string;
  request(method: string, path: string, opts?: { token?: string; body?: unknown; raw?: string | Buffer; headers?: Record<string, string> }): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

export async function startApi(opts: {
  client: Client;
  taskQueue: string;
  /** Start cases traced (the OpenTelemetry workflow interceptors), as with an exporter configured. */
  traced?: boolean;
  settings?: Partial<CaseSettings>;
  maxBodyBytes?: number;
  /** Environment for the ingest settings (RIPOSTE_SOURCE_SECRETS, RIPOSTE_SUPPRESSIONS, windows …). */
  env?: Record<string, string>;
  ingest?: Partial<IngestConfig>;
  /** Reuse a data directory (a restarted API). */
  dataDir?: string;
  /** The case record (default: the one this process's test workers write). */
  record?: CaseRecordStore;
  /** Requests per minute per client on the analyst API (default: none). */
  rateLimitPerMinute?: number;
  /** Service levels (default: DEFAULT_SLA); the SLA watch runs only when asked (`api.slaWatch.tick()`). */
  sla?: SlaPolicy;
  /** Opens sealed payloads at POST /v1/codec/decode. */
  codec?: PayloadCodec;
  /** A loopback port of the caller's choosing (default: any free one). */
  port?: number;
  /** Stores of the caller's opening (default: `testStores(dataDir)`). */
  stores?: Stores;
}): Promise<TestApi> {
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'riposte-api-'));
  const config = loadConfig({ RIPOSTE_DATA_DIR: dataDir, ...opts.env });
  const ingestConfig: IngestConfig = { ...config.ingest, dispatchIntervalMs: 100, ...opts.ingest };
  const logger = createLogger(process.env.RIPOSTE_TEST_LOG ?? 'silent', 'api-test');
  const stores = opts.stores ?? testStores(dataDir, { synchronous: ingestConfig.storeSync, groupCommitMs: ingestConfig.storeGroupCommitMs });
  const store = await stores.alerts();
  const rules = new SuppressionRules(store, ingestConfig.suppressionsFile, logger);
  await rules.start();
  const record = opts.record ?? (await testCaseRecord());
  const triage = await Triage.start(store, logger, { ...config.triage, refreshMs: 0 }, record);
  const metrics = createApiMetrics({ backlog: () => store.backlog(), pendingApprovals: () => record.pendingApprovals() });
  const dispatcher = new Dispatcher({
    store,
    metrics,
    client: opts.client,
    taskQueue: opts.taskQueue,
    settings: { approvalTimeout: '10m', onApprovalTimeout: 'none', idleTimeout: '30s', ...opts.settings },
    intervalMs: ingestConfig.dispatchIntervalMs,
    maxSignalsPerSecond: ingestConfig.dispatchMaxRate,
    logger,
    searchAttributes: await searchAttributesRegistered(opts.client, 'auto'),
    // As the API starts them with no exporter configured, unless a test traces.
    untraced: !opts.traced,
  });
  dispatcher.start();
  const [integrationStatus, indicators, users, audit] = await Promise.all([stores.integrationStatus(), stores.indicators(), stores.users(), stores.audit()]);
  const caseEvents = new CaseEvents({ record, logger });
  const app = createApp({
    client: opts.client,
    taskQueue: opts.taskQueue,
    record,
    indicators,
    tokens: [
      { token: new Secret(TOKENS.source), role: 'source', name: 'test-source' },
      { token: new Secret(TOKENS.analyst), role: 'analyst', name: 'alice' },
      { token: new Secret(TOKENS.analyst2), role: 'analyst', name: 'bob' },
      { token: new Secret(TOKENS.viewer), role: 'viewer', name: 'victor' },
      { token: new Secret(TOKENS.admin), role: 'admin', name: 'ada' },
    ],
    users,
    ...(config.oidc ? { oidc: new OidcSignIn(config.oidc, users) } : {}),
    audit,
    logger,
    ingest: {
      store,
      rules,
      triage,
      config: ingestConfig,
      onQueued: (caseIds) => {
        dispatcher.wake(caseIds);
        caseEvents.notify(caseIds);
      },
      metrics,
    },
    caseEvents,
    metrics,
    dispatchStats: () => ({ ...dispatcher.stats }),
    integrations: () => integrationViews({ ...opts.env }, integrationStatus),
    slack: slackInteractionSettings({ ...opts.env }),
    maxBodyBytes: opts.maxBodyBytes ?? 64 * 1024,
    ...(opts.rateLimitPerMinute ? { rateLimitPerMinute: opts.rateLimitPerMinute } : {}),
    ...(opts.sla ? { sla: opts.sla } : {}),
    caseStart: (caseId, alerts) => dispatcher.caseStart(caseId, alerts),
    ...(opts.codec ? { codec: opts.codec } : {}),
    codecOrigins: config.codecOrigins,
    version: 'test',
  });
  const runWatch = new RunWatch({ record, client: opts.client, logger, graceMs: 0 });
  const slaWatch = new SlaWatch({ store, record, cases: new CaseService({ client: opts.client, store, record, rules, taskQueue: opts.taskQueue, ...(opts.sla ? { sla: opts.sla } : {}) }), client: opts.client, taskQueue: opts.taskQueue, logger, metrics });
  const server = app.listen(opts.port ?? 0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    store,
    record,
    slaWatch,
    runWatch,
    metrics,
    users,
    audit,
    rules,
    dispatcher,
    indicators,
    dataDir,
    async request(method, p, o = {}) {
      const headers: Record<string, string> = { ...o.headers };
      if (o.token) headers.authorization = `Bearer ${o.token}`;
      let body: string | Buffer | undefined = o.raw;
      if (o.body !== undefined) {
        body = JSON.stringify(o.body);
        headers['content-type'] ??= 'application/json';
      }
      const res = await fetch(`${url}${p}`, { method, headers, body });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {}
      return { status: res.status, body: parsed, headers: res.headers };
    },
    async close() {
      caseEvents.close();
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      rules.stop();
      await dispatcher.stop();
      await slaWatch.stop();
      await runWatch.stop();
      await stores.close();
      if (!opts.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
