// Running a playbook on the real dev server the way its tests need: Riposte's real workers (main
// and privileged) with stand-ins only for Riposte's own driver interfaces (tickets, egress), a
// data directory of its own (first-seen store, log store, evidence), and helpers to read the
// playbook's view and decide its approvals.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { WorkerOptions } from '@temporalio/worker';
import { FirstSeenStore } from '../../activities/dns/first-seen.ts';
import type { ActivityDeps } from '../../activities/index.ts';
import type { PlaybookView } from '../../core/case.ts';
import { approvalUpdate, playbookViewQuery, type PlaybookInput, untracedMemo } from '../../workflows/definitions.ts';
import { RecordingEgress, RecordingTickets } from './fakes.ts';
import { startWorker, testClient, uniqueQueue, type RunningWorker } from './temporal.ts';
import { waitFor } from './wait.ts';

export interface PlaybookHarness {
  client: Client;
  tickets: RecordingTickets;
  egress: RecordingEgress;
  dataDir: string;
  worker: RunningWorker;
  taskQueue: string;
  /** Starts the playbook workflow directly (no case) on this harness's workers. */
  start(workflowType: string, input: PlaybookInput): Promise<WorkflowHandle>;
  view(h: WorkflowHandle): Promise<PlaybookView>;
  /** Waits until the playbook asks for an approval; returns its view. */
  awaitingApproval(h: WorkflowHandle, timeoutMs?: number): Promise<PlaybookView>;
  decide(h: WorkflowHandle, approvalId: string, decision: 'approve' | 'reject', actor?: string, comment?: string): Promise<void>;
  result(h: WorkflowHandle): Promise<PlaybookView>;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  /** Worker environment (integration credentials, RIPOSTE_CONTAINMENT …). */
  env?: Record<string, string>;
  dns?: ActivityDeps['dns'];
  deps?: Partial<ActivityDeps>;
  /** Keep the first-seen store (default: one in the data directory). */
  firstSeen?: boolean;
  /** The task queue (default: a fresh one), e.g. to match an API started first. */
  taskQueue?: string;
  /** Worker options, e.g. another workflow bundle. */
  overridesForWorker?: Partial<WorkerOptions>;
  /**
   * A split deployment: the worker above runs as `main`, and a second worker runs as
   * `privileged` with this configuration of its own (the main worker's `env`/`deps` are not shared).
   */
  privileged?: { env?: Record<string, string>; deps?: Partial<ActivityDeps> };
}

export async function startPlaybookHarness(name: string, o: HarnessOptions = {}): Promise<PlaybookHarness> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `riposte-${name}-`));
  const { client, close } = await testClient();
  const tickets = new RecordingTickets();
  const egress = new RecordingEgress();
  const taskQueue = o.taskQueue ?? uniqueQueue(name);
  const firstSeen = o.firstSeen === false ? undefined : new FirstSeenStore(path.join(dataDir, 'first-seen.db'));
  const deps = (env: Record<string, string> | undefined, more: Partial<ActivityDeps> | undefined): ActivityDeps => ({
    dns: { servers: ['127.0.0.1:9'], timeoutMs: 200, ...o.dns, ...(firstSeen ? { firstSeen } : {}) },
    tickets,
    egress,
    context: { env: { RIPOSTE_LOGSTORE_FILE: path.join(dataDir, 'logs.db'), ...env }, dataDir, evidenceDir: path.join(dataDir, 'evidence') },
    ...more,
  });
  const overrides = o.overridesForWorker ? { overrides: o.overridesForWorker } : {};
  const main = await startWorker({ taskQueue, deps: deps(o.env, o.deps), ...(o.privileged ? { role: 'main' as const } : {}), ...overrides });
  const privileged = o.privileged ? await startWorker({ taskQueue, deps: deps(o.privileged.env, o.privileged.deps), role: 'privileged', ...overrides }) : undefined;
  const worker: RunningWorker = privileged
    ? { ...main, workers: [...main.workers, ...privileged.workers], stop: async () => void (await Promise.all([main.stop(), privileged.stop()])) }
    : main;
  const view = (h: WorkflowHandle) => h.query(playbookViewQuery);
  return {
    client,
    tickets,
    egress,
    dataDir,
    worker,
    taskQueue,
    // Untraced, as a case started with no exporter configured starts its runs.
    start: (workflowType, input) => client.workflow.start(workflowType, { taskQueue, workflowId: `${input.caseId}-${workflowType}-${taskQueue}`, args: [input], ...untracedMemo(true) }),
    view,
    awaitingApproval: (h, timeoutMs = 20_000) => waitFor(() => view(h), (v) => v.status === 'awaiting_approval', timeoutMs, 'awaiting_approval'),
    async decide(h, approvalId, decision, actor = 'alice', comment) {
      await h.executeUpdate(approvalUpdate, { args: [{ approvalId, decision, actor, ...(comment ? { comment } : {}) }] });
    },
    result: (h) => h.result() as Promise<PlaybookView>,
    async stop() {
      await worker.stop();
      await close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
