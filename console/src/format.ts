// How the console writes severities, statuses and times.

/** OCSF severity_id → its name. */
export const SEVERITY = ['Unknown', 'Informational', 'Low', 'Medium', 'High', 'Critical', 'Fatal'] as const;
export const severityName = (id: number): string => SEVERITY[id] ?? `severity ${id}`;

export const STATUS: Record<string, string> = {
  running: 'Running',
  awaiting_approval: 'Awaiting approval',
  contained: 'Contained',
  open: 'Open',
  closed: 'Closed',
  failed: 'Failed',
};
export const statusName = (s: string): string => STATUS[s] ?? s;

/** "3 min ago", "in 12 min": relative to now, coarse. */
export function relative(iso: string | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const ms = Date.parse(iso) - now;
  const abs = Math.abs(ms);
  const [n, unit] = abs < 60_000 ? [Math.round(abs / 1000), 's'] : abs < 3_600_000 ? [Math.round(abs / 60_000), 'min'] : abs < 86_400_000 ? [Math.round(abs / 3_600_000), 'h'] : [Math.round(abs / 86_400_000), 'd'];
  return ms < 0 ? `${n} ${unit} ago` : `in ${n} ${unit}`;
}
