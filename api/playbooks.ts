// The playbook catalog and dry runs, answered by the worker: the API imports no playbook code, so
// a new playbook needs no API deploy and the two never disagree about what exists or how it routes.
import { randomUUID } from 'node:crypto';
import { isGrpcServiceError, ServiceError, TimeoutFailure, WorkflowFailedError, type Client } from '@temporalio/client';
import type { NativeAlert } from '../core/alert.ts';
import type { PlaybookView } from '../core/case.ts';
import { PLAYBOOK_CATALOG_WORKFLOW, type DryRunOptions, type PlaybookInfo } from '../workflows/definitions.ts';
import { HttpError } from './problem.ts';

/** The catalog is asked of the worker at most this often. */
const CATALOG_TTL_MS = 30_000;
const CATALOG_DEADLINE_MS = 10_000;
/** A dry run asks real reputation sources, which may queue behind their rate limits. */
const DRY_RUN_DEADLINE_MS = 120_000;
/** gRPC statuses that mean no worker (or no server) answered in time. */
const NO_ANSWER = new Set([1, 4, 8, 9, 14]);

export class PlaybookCatalog {
  private cached?: { at: number; list: PlaybookInfo[] };
  private pending?: Promise<PlaybookInfo[]>;

  constructor(private readonly d: { client: Client; taskQueue: string }) {}

  async list(): Promise<PlaybookInfo[]> {
    if (this.cached && Date.now() - this.cached.at < CATALOG_TTL_MS) return this.cached.list;
    this.pending ??= this.fetch().finally(() => (this.pending = undefined));
    return this.pending;
  }

  async get(name: string): Promise<PlaybookInfo> {
    const found = (await this.list()).find((p) => p.name === name);
    if (!found) throw new HttpError(404, `no playbook ${name}`);
    return found;
  }

  /**
   * Runs the real playbook with every side effect recorded instead of taken and approvals
   * answered as asked; creates no case (its workflow has no case and its ID says dry run).
   */
  async dryRun(name: string, alert: NativeAlert, approvals: DryRunOptions['approvals']): Promise<PlaybookView & { workflowId: string }> {
    const playbook = await this.get(name);
    const id = randomUUID();
    const workflowId = `dryrun-${name}-${id}`;
    try {
      const view = await this.d.client.withDeadline(Date.now() + DRY_RUN_DEADLINE_MS, () =>
        this.d.client.workflow.execute<(input: unknown) => Promise<PlaybookView>>(playbook.workflowType, {
          taskQueue: this.d.taskQueue,
          workflowId,
          args: [{ caseId: `dryrun-${id}`, alert, dryRun: { approvals } }],
          workflowExecutionTimeout: `${DRY_RUN_DEADLINE_MS / 1000}s`,
        })
      );
      return { ...view, workflowId };
    } catch (err) {
      if (err instanceof WorkflowFailedError && err.cause instanceof TimeoutFailure) throw new HttpError(504, `the dry run of ${name} did not finish within ${DRY_RUN_DEADLINE_MS / 1000} s (workflow ${workflowId})`);
      if (err instanceof WorkflowFailedError) throw new HttpError(422, `the dry run of ${name} failed: ${err.cause?.message ?? err.message}`);
      throw noWorker(err, `the dry run of ${name} could not run now: no worker answered within ${DRY_RUN_DEADLINE_MS / 1000} s (workflow ${workflowId})`) ?? err;
    }
  }

  private async fetch(): Promise<PlaybookInfo[]> {
    try {
      const list = await this.d.client.withDeadline(Date.now() + CATALOG_DEADLINE_MS, () =>
        this.d.client.workflow.execute<() => Promise<PlaybookInfo[]>>(PLAYBOOK_CATALOG_WORKFLOW, {
          taskQueue: this.d.taskQueue,
          workflowId: 'riposte-playbook-catalog',
          workflowIdReusePolicy: 'ALLOW_DUPLICATE',
          workflowIdConflictPolicy: 'USE_EXISTING',
          workflowExecutionTimeout: '30s',
        })
      );
      this.cached = { at: Date.now(), list };
      return list;
    } catch (err) {
      throw noWorker(err, 'the playbook catalog cannot be read right now: no worker answered (is the worker running?)') ?? err;
    }
  }
}

/** A 503 when the failure means nobody answered; undefined otherwise. */
export function noWorker(err: unknown, message: string): HttpError | undefined {
  const cause = err instanceof ServiceError ? err.cause : err;
  if ((isGrpcServiceError(cause) && NO_ANSWER.has(cause.code)) || (err instanceof WorkflowFailedError && err.cause instanceof TimeoutFailure)) {
    return new HttpError(503, message, undefined, { 'Retry-After': '5' });
  }
  return undefined;
}
