// The IOC sweep's Temporal Schedule (riposte-ioc-sweep): created, or brought in line with
// RIPOSTE_SWEEP_EVERY, when a worker that runs workflows starts; paused when the sweep is off.
// A sweep still running when the next is due is not doubled (overlap: skip).
import type { DataConverter } from '@temporalio/common';
import { Client, Connection, ScheduleNotFoundError, ScheduleOverlapPolicy } from '@temporalio/client';
import type { TemporalConnectionSettings } from '../config/temporal.ts';
import { parseDuration } from '../core/duration.ts';
import type { Logger } from '../telemetry/logger.ts';
import { SWEEP_SCHEDULE_ID } from '../workflows/definitions.ts';

export interface SweepScheduleOptions {
  /** Seals the schedule's arguments like every other payload (RIPOSTE_PAYLOAD_KEYS). */
  dataConverter?: DataConverter;
  connection: TemporalConnectionSettings;
  namespace: string;
  taskQueue: string;
  /** RIPOSTE_SWEEP_EVERY: a duration, or "off". */
  every: string;
  logger: Pick<Logger, 'info' | 'warn'>;
}

/** RIPOSTE_SWEEP_EVERY → milliseconds, "off", or a problem. */
export function sweepEvery(raw: string | undefined): { ms: number } | { off: true } | { problem: string } {
  const v = (raw ?? '1h').trim();
  if (v === 'off') return { off: true };
  const ms = parseDuration(v);
  if (ms === undefined || ms < 60_000) return { problem: `RIPOSTE_SWEEP_EVERY must be a duration of at least 1m, or off (got "${v}")` };
  return { ms };
}

export async function ensureSweepSchedule(o: SweepScheduleOptions): Promise<void> {
  const every = sweepEvery(o.every);
  if ('problem' in every) throw new Error(every.problem);
  const connection = await Connection.connect(o.connection);
  try {
    const client = new Client({ connection, namespace: o.namespace, ...(o.dataConverter ? { dataConverter: o.dataConverter } : {}) });
    const handle = client.schedule.getHandle(SWEEP_SCHEDULE_ID);
    let exists = true;
    try {
      await handle.describe();
    } catch (err) {
      if (!(err instanceof ScheduleNotFoundError)) throw err;
      exists = false;
    }
    if ('off' in every) {
      if (exists) await handle.pause('RIPOSTE_SWEEP_EVERY=off');
      o.logger.info({ schedule: SWEEP_SCHEDULE_ID }, 'IOC sweep: off');
      return;
    }
    const spec = { intervals: [{ every: every.ms }] };
    const action = { type: 'startWorkflow' as const, workflowType: 'iocSweepPlaybook', taskQueue: o.taskQueue, args: [] };
    if (!exists) {
      await client.schedule.create({ scheduleId: SWEEP_SCHEDULE_ID, spec, action, policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: every.ms } });
    } else {
      await handle.update((prev) => ({ ...prev, spec, action, policies: { ...prev.policies, overlap: ScheduleOverlapPolicy.SKIP } }));
      await handle.unpause('RIPOSTE_SWEEP_EVERY is set');
    }
    o.logger.info({ schedule: SWEEP_SCHEDULE_ID, everyMs: every.ms }, `IOC sweep: every ${o.every ?? '1h'} (schedule ${SWEEP_SCHEDULE_ID})`);
  } finally {
    await connection.close();
  }
}
