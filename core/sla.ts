// Service levels per severity: how soon a case must be acknowledged (a person acts on it) and
// contained. Pure: the API computes each case's due times and breaches from its record.
import { parseDuration } from './duration.ts';

export const SlaKind = { acknowledge: 'acknowledge', contain: 'contain' } as const;
export type SlaKind = (typeof SlaKind)[keyof typeof SlaKind];

/** Per severity id: the targets in milliseconds (absent: none). */
export type SlaPolicy = Record<number, Partial<Record<SlaKind, number>>>;

const SEVERITY_IDS: Record<string, number[]> = { informational: [1], low: [2], medium: [3], high: [4], critical: [5, 6] };

/** Critical and fatal: 15 min to acknowledge, 1 h to contain; high 30 min / 4 h; medium 4 h / 24 h; low 24 h / none. */
export const DEFAULT_SLA = 'critical:15m/1h,high:30m/4h,medium:4h/24h,low:24h/-';

/** `critical:15m/1h,high:30m/4h,…` (`-` for no target) → the policy, or what is wrong with it. */
export function parseSla(text: string): { policy: SlaPolicy } | { problem: string } {
  const policy: SlaPolicy = {};
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^([a-z]+):([^/]+)\/(.+)$/i.exec(part);
    const ids = m ? SEVERITY_IDS[(m[1] as string).toLowerCase()] : undefined;
    if (!m || !ids) return { problem: `RIPOSTE_SLA entry "${part}" must be <severity>:<acknowledge>/<contain> with severity one of ${Object.keys(SEVERITY_IDS).join(', ')} (e.g. high:30m/4h; - for none)` };
    const target: Partial<Record<SlaKind, number>> = {};
    for (const [kind, raw] of [['acknowledge', m[2]], ['contain', m[3]]] as const) {
      if (raw === '-') continue;
      const ms = parseDuration(raw as string);
      if (ms === undefined || ms <= 0) return { problem: `RIPOSTE_SLA entry "${part}": "${raw}" is not a duration (15m, 4h, 1d)` };
      target[kind] = ms;
    }
    for (const id of ids) policy[id] = target;
  }
  return { policy };
}

export interface SlaState {
  acknowledgeBy?: string;
  containBy?: string;
  /** The targets missed: met late, or due and not met (a closed case can no longer miss one). */
  breached: SlaKind[];
}

export function slaState(policy: SlaPolicy, c: { createdAt: string; severity_id: number; acknowledgedAt?: string; containedAt?: string; closedAt?: string }, now: Date): SlaState {
  const target = policy[c.severity_id] ?? {};
  const opened = Date.parse(c.createdAt);
  const out: SlaState = { breached: [] };
  const check = (kind: SlaKind, metAt: string | undefined) => {
    const ms = target[kind];
    if (ms === undefined) return;
    const due = opened + ms;
    if (kind === 'acknowledge') out.acknowledgeBy = new Date(due).toISOString();
    else out.containBy = new Date(due).toISOString();
    const late = metAt ? Date.parse(metAt) > due : !c.closedAt && now.getTime() > due;
    if (late) out.breached.push(kind);
  };
  check('acknowledge', c.acknowledgedAt);
  check('contain', c.containedAt);
  return out;
}
