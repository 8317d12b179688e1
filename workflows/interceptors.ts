// Runs in the Temporal sandbox. The workflow interceptors of every Riposte workflow: Temporal's
// OpenTelemetry interceptors — or none, for a workflow started untraced (memo `riposteUntraced`).
//
// The tracing interceptors are half of a worker's CPU per playbook even with no exporter
// (docs/PERFORMANCE.md), and they decide when update handlers and the main body resume relative
// to each other: a history recorded with them replays only with them. So the choice is made once
// per workflow, at its start, and kept in its history: the API starts cases untraced when no
// exporter is configured and a case starts its runs as it runs itself; workflows started without
// the memo (every one from before it, the sweep's, the undo's) keep the interceptors.
import {
  OpenTelemetryInboundInterceptor,
  OpenTelemetryInternalsInterceptor,
  OpenTelemetryOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/workflow/index.js';
import type { WorkflowInterceptors } from '@temporalio/workflow';
import { startedUntraced } from './definitions.ts';

type Method = (input: unknown, next: (input: unknown) => unknown) => unknown;

/**
 * `methods` of an OpenTelemetry interceptor (made on its first traced call), or straight to
 * `next` — synchronously, as if there were no interceptor — for an untraced workflow. Decided at
 * each call, not when the interceptors are made: the SDK makes them before it decodes the
 * workflow's memo. The memo is fixed at start, so every call of a workflow — live or in replay —
 * takes the same path.
 */
function chosen<T extends object>(make: () => T, methods: string[]): T {
  let traced: Record<string, Method> | undefined;
  const out: Record<string, Method> = {};
  for (const m of methods) {
    out[m] = (input, next) => {
      if (startedUntraced()) return next(input);
      traced ??= make() as unknown as Record<string, Method>;
      return (traced[m] as Method).call(traced, input, next);
    };
  }
  return out as unknown as T;
}

export const interceptors = (): WorkflowInterceptors => ({
  inbound: [chosen(() => new OpenTelemetryInboundInterceptor(), ['execute', 'handleSignal', 'handleUpdate', 'validateUpdate', 'handleQuery'])],
  outbound: [
    chosen(() => new OpenTelemetryOutboundInterceptor(), [
      'scheduleActivity',
      'scheduleLocalActivity',
      'startNexusOperation',
      'startChildWorkflowExecution',
      'continueAsNew',
      'signalWorkflow',
      'getLogAttributes',
      'getMetricTags',
    ]),
  ],
  internals: [chosen(() => new OpenTelemetryInternalsInterceptor(), ['dispose'])],
});
