// The run watch: a playbook run writes its own end to the case record — unless it ends outside
// Riposte (terminated or cancelled from the Temporal UI or CLI, timed out, or its history gone
// before it could write), when the case would read "running" or "awaiting approval" for ever.
// Every minute the runs the record has as open are asked about in Temporal (one describe each);
// for those that have closed, the record gets their end: failed (or the result's status, when a
// completed run only missed its last write), how it ended, its waiting approvals withdrawn.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { foldRun, runEndedOutside, type CaseEvent } from '../core/case-events.ts';
import type { PlaybookView } from '../core/case.ts';
import type { CaseRecordStore } from '../store/case-record.ts';
import type { Logger } from '../telemetry/logger.ts';
import { Watch } from './watch.ts';

/** Runs asked about per pass, at most (the oldest first; the rest next pass). */
const PER_PASS = 200;
/** A run younger than this is left alone: its first writes may still be on their way. */
const GRACE_MS = 60_000;
/** The ending facts go after anything the run wrote. */
const END_N = 1_000_000_000;

export class RunWatch extends Watch {
  constructor(private readonly d: { record: CaseRecordStore; client: Client; logger: Pick<Logger, 'warn' | 'info'>; intervalMs?: number; graceMs?: number }) {
    super('run watch', d.intervalMs ?? 60_000, d.logger);
  }

  /** One pass; returns how many runs it recorded as ended. */
  protected async pass(): Promise<number> {
    const before = new Date(Date.now() - (this.d.graceMs ?? GRACE_MS)).toISOString();
    let ended = 0;
    for (const { run, caseId } of await this.d.record.openRuns(before, PER_PASS)) {
      const end = await this.howItEnded(run);
      if (!end) continue;
      const facts = await this.d.record.runFacts(run);
      const view = foldRun(facts);
      if (!view || view.closedAt) continue;
      const at = end.at ?? new Date().toISOString();
      const events: CaseEvent[] = runEndedOutside(view, end.how, at, end.status).map((e, i) => ({ ...e, key: `${run}:ended:${i}`, run, n: END_N + i }));
      events.push({ key: `${run}:ended`, at, kind: 'run.ended', data: { workflowId: run, playbook: view.playbook, run: view.run ?? 1, how: end.how } });
      if ((await this.d.record.append(caseId, events)) > 0) {
        ended++;
        this.d.logger.info({ caseId, run, how: end.how }, 'a run ended outside Riposte; its end is recorded');
      }
    }
    return ended;
  }

  /** How the run ended, as Temporal says; undefined while it runs (or Temporal cannot be asked). */
  private async howItEnded(run: string): Promise<{ how: string; at?: string; status?: PlaybookView['status'] } | undefined> {
    const handle = this.d.client.workflow.getHandle(run);
    try {
      const d = await handle.describe();
      const state = d.status.name;
      if (state === 'RUNNING') return undefined;
      const at = d.closeTime?.toISOString();
      if (state === 'COMPLETED') {
        // It finished; only its last write to the record was lost: its result says how it ended.
        const view = (await handle.result()) as PlaybookView;
        return { how: `${view.playbook} ended ${view.status}; its last write to the case record was lost, so this is from Temporal`, status: view.status, ...(at ? { at } : {}) };
      }
      if (state === 'CONTINUED_AS_NEW') return undefined;
      return { how: `the run was ${state.toLowerCase().replace('_', ' ')} in Temporal before it finished: what it did is above; nothing after`, ...(at ? { at } : {}) };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return { how: 'the run is gone from Temporal (its history was deleted) and never recorded its end' };
      this.d.logger.warn({ err: String(err), run }, 'could not ask Temporal about a run; asked again next pass');
      return undefined;
    }
  }
}
