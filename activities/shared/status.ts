// Every activity's outcome, recorded for its integration (store/integration-status.ts) and in the
// worker's metrics. Failure messages are the activities' own, which never carry secrets (see shared/http.ts).
import type { WorkerMetrics } from '../../telemetry/metrics.ts';
import type { IntegrationStatusStore } from '../../store/integration-status.ts';

type AnyActivity = (...args: never[]) => Promise<unknown>;

/**
 * Wraps every activity so its integration's status is kept: a result counts as a success
 * unless it is a recorded skip (`status: 'skipped'`); a thrown failure counts as a failure,
 * with its type. `integrationOf` maps an activity name to its integration.
 */
export function recordingOutcomes<A extends Record<string, AnyActivity>>(
  activities: A,
  store: IntegrationStatusStore | undefined,
  integrationOf: (activity: string) => string | undefined,
  metrics?: Pick<WorkerMetrics, 'integrationCalls' | 'integrationLatency'>
): A {
  const wrapped: Record<string, AnyActivity> = {};
  for (const [name, fn] of Object.entries(activities)) {
    const integration = integrationOf(name);
    if (!integration) {
      wrapped[name] = fn;
      continue;
    }
    wrapped[name] = async (...args: never[]) => {
      const started = performance.now();
      const count = (outcome: string) =>
        safely(() => {
          metrics?.integrationCalls.inc({ integration, outcome });
          metrics?.integrationLatency.observe({ integration }, (performance.now() - started) / 1000);
        });
      try {
        const result = await fn(...args);
        const skipped = (result as { status?: string } | undefined)?.status === 'skipped';
        if (!skipped) safely(() => store?.recordSuccess(integration));
        count(skipped ? 'skipped' : 'ok');
        return result;
      } catch (err) {
        const e = err as { type?: string; name?: string; message?: string };
        safely(() => store?.recordFailure(integration, { type: e.type ?? e.name ?? 'Error', message: e.message ?? String(err) }));
        count(e.type ?? e.name ?? 'Error');
        throw err;
      }
    };
  }
  return wrapped as A;
}

/** Keeping status must never fail an activity. */
/** Best effort, and off the activity's path: the status is not worth failing or slowing a response for. */
function safely(fn: () => Promise<void> | undefined | void): void {
  try {
    void fn()?.catch(() => {});
  } catch {
    /* the status store is best effort */
  }
}
