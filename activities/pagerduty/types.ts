// PagerDuty Events API v2: inputs and results. Types only — safe for workflows to import.

export interface PageInput {
  /** trigger opens (or re-triggers) the incident; acknowledge and resolve act on it. */
  action: 'trigger' | 'acknowledge' | 'resolve';
  /** One incident per key: the case's key, so every page about a case lands on the same incident. */
  dedupKey: string;
  summary?: string;
  severity?: 'critical' | 'error' | 'warning' | 'info';
  /** The affected host or system. */
  source?: string;
  /** A link back to the case. */
  link?: { href: string; text: string };
  details?: Record<string, string | number | boolean>;
}

export type PageResult = { status: 'ok'; dedupKey: string; action: PageInput['action'] } | { status: 'skipped'; reason: string };
