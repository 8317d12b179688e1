// Incident-response timings of one case, from its record (definitions: docs/metrics.md), and
// their summary over many cases. Pure.
import { caseHandling, type CaseEvent, type CaseHandling } from './case-events.ts';
import { CONTAINING_OP_NAMES } from './case.ts';

export interface CaseTimings {
  /** The first alert's event time → when Riposte took it in. */
  detectMs?: number;
  /** Case opened → the first thing a person did on it. */
  acknowledgeMs?: number;
  /** Case opened → the first containing action that changed something (simulated ones do not count). */
  containMs?: number;
  /** Case opened → an analyst closed it (the latest close, when it was reopened). */
  resolveMs?: number;
}

export const TIMINGS = ['detect', 'acknowledge', 'contain', 'resolve'] as const;
export type TimingName = (typeof TIMINGS)[number];

export function caseTimings(c: { createdAt: string; firstAlert?: { time: string; receivedAt: string } }, events: CaseEvent[], handling?: CaseHandling): CaseTimings {
  const opened = Date.parse(c.createdAt);
  const since = (at: string | undefined) => (at ? Math.max(0, Date.parse(at) - opened) : undefined);
  // Acknowledged and resolved as the case itself says (one rule for the view, the SLA and these).
  const { acknowledgedAt: ack, resolution } = handling ?? caseHandling(events);
  const closed = resolution?.at;
  let contained: string | undefined;
  for (const e of events) {
    if (e.kind !== 'action.applied') continue;
    const a = (e.data as { item?: { op?: string; simulated?: boolean; at?: string } }).item;
    if (a && !a.simulated && a.op && CONTAINING_OP_NAMES.has(a.op) && (!contained || (a.at ?? e.at) < contained)) contained = a.at ?? e.at;
  }
  const detect = c.firstAlert ? Date.parse(c.firstAlert.receivedAt) - Date.parse(c.firstAlert.time) : undefined;
  return {
    ...(detect !== undefined && Number.isFinite(detect) ? { detectMs: Math.max(0, detect) } : {}),
    ...(ack ? { acknowledgeMs: since(ack) } : {}),
    ...(contained ? { containMs: since(contained) } : {}),
    ...(closed ? { resolveMs: since(closed) } : {}),
  };
}

export interface Stat {
  /** Cases the timing applies to (acknowledged, contained, resolved …). */
  n: number;
  p50?: number;
  p90?: number;
  mean?: number;
}

/** Nearest-rank percentiles and the mean, in seconds. */
export function stat(ms: number[]): Stat {
  if (ms.length === 0) return { n: 0 };
  const sorted = [...ms].sort((a, b) => a - b);
  const rank = (p: number) => (sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] as number) / 1000;
  return { n: ms.length, p50: rank(50), p90: rank(90), mean: sorted.reduce((s, x) => s + x, 0) / sorted.length / 1000 };
}
