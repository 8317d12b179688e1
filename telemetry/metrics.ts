// Prometheus metrics (prom-client): the API's (GET /metrics) and the worker's
// (RIPOSTE_WORKER_METRICS_PORT), each with the process's own figures. Names and labels are
// listed in docs/metrics.md; labels are bounded (sources, outcomes, playbooks, integrations).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Seconds: from a few milliseconds (a lookup, a dispatch) to a day (an approval left waiting). */
const BUCKETS = [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 14_400, 86_400];

export function createApiMetrics(o: { backlog: () => number; pendingApprovals: () => number | Promise<number> }) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'riposte_api_' });
  return {
    registry,
    ingested: new Counter({ name: 'riposte_alerts_ingested_total', help: 'Alerts taken in, by source and outcome (new, duplicate, deduplicated, updated, suppressed, rejected)', labelNames: ['source', 'outcome'] as const, registers: [registry] }),
    suppressed: new Counter({ name: 'riposte_suppression_hits_total', help: 'Alerts a suppression rule held back, by rule', labelNames: ['rule'] as const, registers: [registry] }),
    dispatchLag: new Histogram({ name: 'riposte_dispatch_lag_seconds', help: 'From an alert committed to its case workflow told', buckets: BUCKETS, registers: [registry] }),
    backlog: new Gauge({ name: 'riposte_alert_backlog', help: 'Alerts committed and not yet delivered to their case', registers: [registry], collect() { this.set(o.backlog()); } }),
    slaBreaches: new Counter({ name: 'riposte_sla_breaches_total', help: 'Service levels missed, by target (acknowledge, contain) and severity', labelNames: ['kind', 'severity'] as const, registers: [registry] }),
    approvalsPending: new Gauge({ name: 'riposte_approvals_pending', help: 'Approvals waiting for an analyst, in every case', registers: [registry], async collect() { this.set(await o.pendingApprovals()); } }),
  };
}
export type ApiMetrics = ReturnType<typeof createApiMetrics>;

export function createWorkerMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'riposte_worker_' });
  return {
    registry,
    integrationCalls: new Counter({ name: 'riposte_integration_calls_total', help: 'Calls to an integration, by outcome (ok, skipped, or the error type)', labelNames: ['integration', 'outcome'] as const, registers: [registry] }),
    integrationLatency: new Histogram({ name: 'riposte_integration_call_seconds', help: 'How long an integration call took', labelNames: ['integration'] as const, buckets: BUCKETS, registers: [registry] }),
    playbookRuns: new Counter({ name: 'riposte_playbook_runs_total', help: 'Playbook runs ended, by playbook and outcome (closed, contained, failed)', labelNames: ['playbook', 'outcome'] as const, registers: [registry] }),
    playbookDuration: new Histogram({ name: 'riposte_playbook_run_seconds', help: 'A playbook run, start to end', labelNames: ['playbook', 'outcome'] as const, buckets: BUCKETS, registers: [registry] }),
    approvalDecision: new Histogram({ name: 'riposte_approval_decision_seconds', help: 'From an approval asked to decided (approved, rejected) or timed out', labelNames: ['playbook', 'outcome'] as const, buckets: BUCKETS, registers: [registry] }),
  };
}
export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;
