// The SLA watch: every minute, the cases opened in the last week are checked against their
// service levels; a target missed for the first time is written to the case record (once: its key
// names the case and the target), counted, and escalated through the configured channels by a
// `slaBreachWorkflow` (once: its workflow ID names them too).
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { severityName } from '../core/alert.ts';
import type { CaseRecordStore } from '../store/case-record.ts';
import type { AlertStore, StoredCase } from '../store/types.ts';
import type { Logger } from '../telemetry/logger.ts';
import type { ApiMetrics } from '../telemetry/metrics.ts';
import { SLA_BREACH_WORKFLOW, slaBreachWorkflowId, type SlaBreachInput } from '../workflows/definitions.ts';
import { casePages } from './case-pages.ts';
import { Watch } from './watch.ts';
import type { CaseService } from './cases.ts';

const LOOKBACK_MS = 7 * 86_400_000;

export class SlaWatch extends Watch {
  constructor(private readonly d: { store: AlertStore; record: CaseRecordStore; cases: CaseService; client: Client; taskQueue: string; logger: Pick<Logger, 'warn'>; metrics?: Pick<ApiMetrics, 'slaBreaches'>; intervalMs?: number }) {
    super('SLA watch', d.intervalMs ?? 60_000, d.logger);
  }

  /** One pass; returns how many breaches were new. */
  protected async pass(): Promise<number> {
    const since = new Date(Date.now() - LOOKBACK_MS).toISOString();
    let fresh = 0;
    for await (const page of casePages(this.d.store, { since })) {
      const states = await this.d.cases.states(page);
      for (const c of page) {
        const sla = states.get(c.id)?.sla;
        for (const kind of sla?.breached ?? []) {
          const due = (kind === 'acknowledge' ? sla?.acknowledgeBy : sla?.containBy) as string;
          const key = `sla:${c.id}:${kind}`;
          // Recorded: escalated already — once, even after Temporal has dropped that escalation's workflow.
          if (await this.d.record.has(key)) continue;
          // Escalated first (the workflow ID keeps a retry from escalating twice), recorded once it is under way.
          if (!(await this.escalate(c, kind, due))) continue;
          const added = await this.d.record.append(c.id, [{ key, at: new Date().toISOString(), kind: 'sla.breached', data: { kind, due } }]);
          if (!added) continue;
          fresh++;
          this.d.metrics?.slaBreaches.inc({ kind, severity: severityName(c.severity_id) });
        }
      }
    }
    return fresh;
  }

  /** Starts the escalation (or finds it started); false when Temporal could not be reached (tried again next pass). */
  private async escalate(c: StoredCase, kind: SlaBreachInput['kind'], due: string): Promise<boolean> {
    const input: SlaBreachInput = { caseId: c.id, kind, title: c.title, severity: severityName(c.severity_id), severity_id: c.severity_id, due };
    try {
      await this.d.client.workflow.start(SLA_BREACH_WORKFLOW, { taskQueue: this.d.taskQueue, workflowId: slaBreachWorkflowId(c.id, kind), workflowIdReusePolicy: 'REJECT_DUPLICATE', args: [input] });
      return true;
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return true;
      this.d.logger.warn({ err: String(err), caseId: c.id, kind }, 'could not start the SLA escalation; tried again next pass');
      return false;
    }
  }
}
