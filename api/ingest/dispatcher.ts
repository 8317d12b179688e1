// From the alert store's outbox to the case workflows, at least once, in order per case, and
// coalesced: one signal carries every alert waiting for that case, and a case gets at most one
// batch per dispatch interval however fast alerts arrive. A re-delivered batch (a crash between
// the signal and marking it sent) is ignored by the case, which remembers the last sequence number.
import { context, propagation, trace, type Link } from '@opentelemetry/api';
import type { Client } from '@temporalio/client';
import { tracer } from '../../telemetry/index.ts';
import type { Logger } from '../../telemetry/logger.ts';
import type { AlertStore, OutboxItem } from '../../store/types.ts';
import type { caseWorkflow } from '../../workflows/case.ts';
import { alertsSignal, caseWorkflowId, type CaseAlertItem, type CaseSettings } from '../../workflows/definitions.ts';

export interface DispatcherOptions {
  store: AlertStore;
  client: Client;
  taskQueue: string;
  settings: CaseSettings;
  /** Least time between two batches to one case. */
  intervalMs: number;
  logger: Pick<Logger, 'warn' | 'error' | 'debug'>;
  /** Alerts per signal at most (payload size stays far under Temporal's limits). */
  batchMax?: number;
  /** Cases signalled at once. */
  concurrency?: number;
}

export interface DispatchStats {
  signals: number;
  alerts: number;
  errors: number;
}

export class Dispatcher {
  readonly stats: DispatchStats = { signals: 0, alerts: 0, errors: 0 };
  private readonly lastSent = new Map<string, number>();
  private readonly inFlight = new Set<string>();
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;
  private failures = 0;

  constructor(private readonly o: DispatcherOptions) {}

  start(): void {
    this.schedule(0);
  }

  /** New alerts were committed: dispatch soon. */
  wake(): void {
    if (!this.stopped && !this.running) this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Dispatches until the outbox is empty (tests, shutdown). */
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
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.tick().finally(() => (this.running = undefined));
    }, ms);
    this.timer.unref?.();
  }

  private async tick(): Promise<void> {
    let next = 1000; // a slow safety poll, even when nobody wakes us
    try {
      const rows = await this.o.store.pendingOutbox(5000);
      const byCase = new Map<string, OutboxItem[]>();
      for (const row of rows) {
        const list = byCase.get(row.caseId) ?? [];
        list.push(row);
        byCase.set(row.caseId, list);
      }
      const now = Date.now();
      const due: Array<[string, OutboxItem[]]> = [];
      for (const [caseId, items] of byCase) {
        if (this.inFlight.has(caseId)) continue;
        const wait = (this.lastSent.get(caseId) ?? 0) + this.o.intervalMs - now;
        if (wait > 0) next = Math.min(next, wait);
        else due.push([caseId, items]);
      }
      const limit = this.o.concurrency ?? 8;
      for (let i = 0; i < due.length; i += limit) {
        await Promise.all(due.slice(i, i + limit).map(([caseId, items]) => this.send(caseId, items)));
      }
      if (due.length > 0 || rows.length === 5000) next = Math.min(next, this.o.intervalMs);
      this.failures = 0;
    } catch (err) {
      this.stats.errors += 1;
      this.failures += 1;
      next = Math.min(30_000, 500 * 2 ** Math.min(this.failures, 6));
      this.o.logger.warn({ err: String(err), retryInMs: next }, 'dispatch to Temporal failed; alerts stay queued');
    }
    this.schedule(next);
  }

  private async send(caseId: string, rows: OutboxItem[]): Promise<void> {
    const batch = rows.slice(0, this.o.batchMax ?? 100);
    this.inFlight.add(caseId);
    try {
      const alerts = new Map((await this.o.store.alertsByIds([...new Set(batch.map((r) => r.alertId))])).map((a) => [a.id, a]));
      const items: CaseAlertItem[] = batch.flatMap((r) => {
        const a = alerts.get(r.alertId);
        if (!a) return [];
        const { id, source, sourceUid, time, severity_id, title, rule, observables } = a;
        return [{ seq: r.seq, kind: r.kind, alert: { id, source, sourceUid, time, severity_id, title, ...(rule ? { rule } : {}), observables } }];
      });
      // The batch continues the trace of its first alert and links the others' traces.
      const contexts = batch.flatMap((r) => (r.traceparent ? [propagation.extract(context.active(), { traceparent: r.traceparent })] : []));
      const links: Link[] = contexts.slice(1).flatMap((c) => {
        const sc = trace.getSpanContext(c);
        return sc ? [{ context: sc }] : [];
      });
      await tracer.startActiveSpan('dispatch alerts', { links, attributes: { 'riposte.case_id': caseId, 'riposte.alerts': items.length } }, contexts[0] ?? context.active(), async (span) => {
        try {
          await this.o.client.workflow.signalWithStart<typeof caseWorkflow, [{ items: CaseAlertItem[] }]>('caseWorkflow', {
            workflowId: caseWorkflowId(caseId),
            taskQueue: this.o.taskQueue,
            args: [{ caseId, settings: this.o.settings }],
            signal: alertsSignal,
            signalArgs: [{ items }],
          });
        } finally {
          span.end();
        }
      });
      await this.o.store.markDispatched(batch.map((r) => r.seq));
      this.lastSent.set(caseId, Date.now());
      this.stats.signals += 1;
      this.stats.alerts += items.length;
    } finally {
      this.inFlight.delete(caseId);
    }
  }
}
