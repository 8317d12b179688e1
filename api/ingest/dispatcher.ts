// From the alert store's outbox to the case workflows, at least once, in order per case, and
// coalesced: one signal carries every alert waiting for that case, a case gets at most one
// batch per dispatch interval however fast alerts arrive, and all cases together get at most
// `maxSignalsPerSecond` — so an alert flood costs Temporal a bounded, small number of signals.
// A re-delivered batch (a crash between the signal and marking it sent) is ignored by the case,
// which remembers the last sequence number it handled.
import { context, propagation, trace, type Link } from '@opentelemetry/api';
import { isGrpcServiceError, ServiceError, type Client } from '@temporalio/client';
import { tracer } from '../../telemetry/index.ts';
import type { ApiMetrics } from '../../telemetry/metrics.ts';
import type { Logger } from '../../telemetry/logger.ts';
import type { NativeAlert } from '../../core/alert.ts';
import type { AlertStore, OutboxItem, StoredAlert } from '../../store/types.ts';
import type { caseWorkflow } from '../../workflows/case.ts';
import type { SearchAttributePair } from '@temporalio/common';
import { alertsSignal, caseWorkflowId, type CaseAlertItem, type CaseInput, type CaseSettings, untracedMemo } from '../../workflows/definitions.ts';
import { caseSearchAttributes } from '../../workflows/search-attributes.ts';

/** Ticks are at least this far apart, however often alerts arrive. */
const MIN_TICK_MS = 50;
/** Re-read which cases wait, in case a wake-up was missed (and after a restart). */
const RESYNC_MS = 5000;
/** Serialized alerts per signal at most: far under Temporal's 2 MB payload limit. */
const BATCH_BYTES = 256 * 1024;

export interface DispatcherOptions {
  store: AlertStore;
  client: Client;
  taskQueue: string;
  settings: CaseSettings;
  /** Least time between two batches to one case. */
  intervalMs: number;
  /** Signals per second to all case workflows together, at most (default 20). */
  maxSignalsPerSecond?: number;
  logger: Pick<Logger, 'warn' | 'error' | 'debug'>;
  /** Alerts per signal at most (payload size stays far under Temporal's limits). */
  batchMax?: number;
  /** Cases signalled at once. */
  concurrency?: number;
  /** Prometheus: the dispatch lag. */
  metrics?: Pick<ApiMetrics, 'dispatchLag'>;
  /** Start case workflows with Riposte's search attributes (the namespace has them registered). */
  searchAttributes?: boolean;
  /** Start cases without the tracing interceptors (no exporter configured): workflows/interceptors.ts. */
  untraced?: boolean;
}

export interface DispatchStats {
  signals: number;
  alerts: number;
  errors: number;
}

export class Dispatcher {
  readonly stats: DispatchStats = { signals: 0, alerts: 0, errors: 0 };
  /** Cases with alerts waiting, in the order they started waiting. */
  private readonly waiting = new Set<string>();
  private readonly lastSent = new Map<string, number>();
  /** Cases whose last send failed: not before `at` again (each backs off on its own). */
  private readonly retry = new Map<string, { at: number; failures: number }>();
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;
  private failures = 0;
  private tokens: number;
  private tokensAt = Date.now();
  private lastTickAt = 0;
  private nextTickAt = 0;
  private lastResync = 0;

  constructor(private readonly o: DispatcherOptions) {
    this.tokens = this.rate;
  }

  private get rate(): number {
    return this.o.maxSignalsPerSecond ?? 20;
  }

  start(): void {
    this.schedule(0);
  }

  /**
   * Alerts for these cases were committed: dispatch soon. Called on every commit, so it only
   * brings the next tick forward — never more often than every MIN_TICK_MS.
   */
  wake(caseIds: string[] = []): void {
    for (const id of caseIds) this.waiting.add(id);
    if (this.stopped || this.running) return;
    const at = Math.max(Date.now(), this.lastTickAt + MIN_TICK_MS);
    if (this.timer && this.nextTickAt <= at) return;
    this.schedule(at - Date.now());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Waits until the outbox is empty (tests, shutdown). */
  async drain(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.o.store.backlog() > 0) {
      if (Date.now() > deadline) throw new Error(`outbox not drained: ${this.o.store.backlog()} waiting`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.nextTickAt = Date.now() + ms;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.lastTickAt = Date.now();
      this.running = this.tick().finally(() => (this.running = undefined));
    }, ms);
    this.timer.unref?.();
  }

  /** Token bucket over all cases: `rate` signals a second, bursts up to one second's worth. */
  private takeTokens(wanted: number): number {
    const now = Date.now();
    this.tokens = Math.min(this.rate, this.tokens + ((now - this.tokensAt) / 1000) * this.rate);
    this.tokensAt = now;
    const granted = Math.min(wanted, Math.floor(this.tokens));
    this.tokens -= granted;
    return granted;
  }

  private async tick(): Promise<void> {
    let next = RESYNC_MS;
    try {
      if (Date.now() - this.lastResync >= RESYNC_MS || (this.waiting.size === 0 && this.o.store.backlog() > 0)) {
        for (const id of await this.o.store.pendingCases()) this.waiting.add(id);
        this.lastResync = Date.now();
      }
      const now = Date.now();
      const due: string[] = [];
      for (const caseId of this.waiting) {
        const wait = Math.max((this.lastSent.get(caseId) ?? 0) + this.o.intervalMs, this.retry.get(caseId)?.at ?? 0) - now;
        if (wait > 0) next = Math.min(next, wait);
        else due.push(caseId);
      }
      // Longest waiting first; the rest wait for tokens.
      const sending = due.slice(0, this.takeTokens(due.length));
      const limit = this.o.concurrency ?? 8;
      const failed: Array<{ caseId: string; reason: unknown }> = [];
      for (let i = 0; i < sending.length; i += limit) {
        const batch = sending.slice(i, i + limit);
        const outcomes = await Promise.allSettled(batch.map((caseId) => this.send(caseId)));
        outcomes.forEach((o, j) => {
          const caseId = batch[j] as string;
          if (o.status === 'fulfilled') this.retry.delete(caseId);
          else failed.push({ caseId, reason: o.reason });
        });
      }
      // Temporal itself unreachable: back off as a whole. Otherwise only the cases that failed
      // do, each on its own, and the others go on.
      const away = failed.find((f) => temporalAway(f.reason));
      if (away) throw away.reason;
      for (const f of failed) this.caseFailed(f.caseId, f.reason);
      if (sending.length < due.length) next = Math.min(next, Math.ceil(1000 / this.rate));
      else if (this.waiting.size > 0) next = Math.min(next, this.o.intervalMs);
      this.failures = 0;
    } catch (err) {
      this.stats.errors += 1;
      this.failures += 1;
      next = Math.min(30_000, 500 * 2 ** Math.min(this.failures, 6));
      this.o.logger.warn({ err: String(err), retryInMs: next }, 'dispatch to Temporal failed; alerts stay queued');
    }
    this.schedule(next);
  }

  /**
   * One case's send failed (Temporal refused its signal, say): that case alone backs off, and goes
   * to the back of the queue — the others keep flowing. Its alerts stay in the outbox.
   */
  private caseFailed(caseId: string, err: unknown): void {
    this.stats.errors += 1;
    const failures = (this.retry.get(caseId)?.failures ?? 0) + 1;
    const waitMs = Math.min(60_000, 500 * 2 ** Math.min(failures, 7));
    this.retry.set(caseId, { at: Date.now() + waitMs, failures });
    this.waiting.delete(caseId);
    this.waiting.add(caseId);
    this.o.logger.warn({ err: String(err), caseId, failures, retryInMs: waitMs }, 'dispatch of a case failed; its alerts stay queued, the other cases go on');
  }

  private async send(caseId: string): Promise<void> {
    const max = this.o.batchMax ?? 250;
    const batch = await this.o.store.pendingForCase(caseId, max);
    if (batch.length === 0) return void this.waiting.delete(caseId);
    const alerts = new Map((await this.o.store.alertsByIds([...new Set(batch.map((r) => r.alertId))])).map((a) => [a.id, a]));
    // New alerts travel whole: which playbooks they start is decided on the worker side only.
    const items: CaseAlertItem[] = [];
    const fetched = batch.length;
    let bytes = 0;
    let taken = 0;
    for (const r of batch) {
      const a = alerts.get(r.alertId);
      const alert = a && r.kind === 'new' ? nativeAlert(a) : undefined;
      const size = alert ? JSON.stringify(alert).length : 64;
      if (taken > 0 && bytes + size > BATCH_BYTES) break; // the rest go in the next batch
      bytes += size;
      taken += 1;
      if (a) items.push({ seq: r.seq, kind: r.kind, alertId: a.id, ...(alert ? { alert } : {}) });
    }
    batch.splice(taken);
    await this.signal(caseId, batch, items);
    await this.o.store.markDispatched(batch.map((r) => r.seq));
    const sent = Date.now();
    for (const r of batch) if (r.createdAt) this.o.metrics?.dispatchLag.observe(Math.max(0, sent - Date.parse(r.createdAt)) / 1000);
    this.lastSent.set(caseId, Date.now());
    if (fetched < max && taken === fetched) this.waiting.delete(caseId);
    this.stats.signals += 1;
    this.stats.alerts += items.length;
  }

  /**
   * How a case workflow starts — for a batch of alerts, or for an analyst's re-run once the case
   * workflow has ended. Only a start uses the search attributes: the case, the top severity and
   * the hosts of the alerts it starts with.
   */
  caseStart(caseId: string, alerts: NativeAlert[]): { workflowId: string; taskQueue: string; args: [CaseInput]; typedSearchAttributes?: SearchAttributePair[]; memo?: Record<string, unknown> } {
    return {
      workflowId: caseWorkflowId(caseId),
      taskQueue: this.o.taskQueue,
      args: [{ caseId, settings: this.o.settings }],
      ...(this.o.searchAttributes ? { typedSearchAttributes: caseSearchAttributes(caseId, alerts) } : {}),
      ...untracedMemo(this.o.untraced),
    };
  }

  /** The batch continues the trace of its first alert and links the others' traces. */
  private signal(caseId: string, batch: OutboxItem[], items: CaseAlertItem[]): Promise<void> {
    const contexts = batch.flatMap((r) => (r.traceparent ? [propagation.extract(context.active(), { traceparent: r.traceparent })] : []));
    const links: Link[] = contexts.slice(1).flatMap((c) => {
      const sc = trace.getSpanContext(c);
      return sc ? [{ context: sc }] : [];
    });
    return tracer.startActiveSpan('dispatch alerts', { links, attributes: { 'riposte.case_id': caseId, 'riposte.alerts': items.length } }, contexts[0] ?? context.active(), async (span) => {
      try {
        await this.o.client.workflow.signalWithStart<typeof caseWorkflow, [{ items: CaseAlertItem[] }]>('caseWorkflow', {
          ...this.caseStart(caseId, items.flatMap((i) => (i.alert ? [i.alert] : []))),
          signal: alertsSignal,
          signalArgs: [{ items }],
        });
      } finally {
        span.end();
      }
    });
  }
}

/** gRPC UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED: the server is away or overloaded, not refusing one case. */
const AWAY_CODES = new Set([4, 8, 14]);

function temporalAway(err: unknown): boolean {
  const cause = err instanceof ServiceError ? err.cause : err;
  return isGrpcServiceError(cause) && AWAY_CODES.has(cause.code);
}

/** A stored alert as workflows take it. */
export function nativeAlert(a: StoredAlert): NativeAlert {
  const { id, source, sourceUid, time, severity_id, title, rule, observables, cloud, principal } = a;
  return { id, source, sourceUid, time, severity_id, title, ...(rule ? { rule } : {}), observables, ...(cloud ? { cloud } : {}), ...(principal ? { principal } : {}) };
}
