// Durations as people write them in configuration: "250ms", "90s", "30m", "2h", "1d", or plain
// milliseconds. Pure; used by configuration and by workflows alike.
export const DURATION_PATTERN = /^(\d+)(ms|s|m|h|d)?$/;

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Milliseconds, or undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION_PATTERN.exec(text.trim());
  if (!m) return undefined;
  return Number(m[1]) * UNIT_MS[(m[2] ?? 'ms') as keyof typeof UNIT_MS];
}
