// The raw-Temporal baseline's activity (bench/bare-workflow/workflows.ts): does nothing, and says
// when it ran, so the benchmark can measure start → first activity.

export interface BareActivities {
  /** A no-op step; returns the wall-clock time (ms) at which it ran. */
  bareNoop(step: number): Promise<number>;
}

export function createBareActivities(): BareActivities {
  return {
    async bareNoop(_step: number): Promise<number> {
      return Date.now();
    },
  };
}
