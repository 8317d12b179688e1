// The case record as an append-only stream of facts. A playbook run appends what changed in its
// view since it last wrote (`runEvents`); the API appends what people do (verdicts, comments,
// undo requests); reading a case folds the stream back (`foldRun`). Pure: used by the workflow
// sandbox, the worker's store activity and the API alike.
import type { PlaybookView } from './case.ts';

/** One fact of a case. `key` makes an append idempotent: a retried write adds nothing. */
export interface CaseEvent {
  key: string;
  /** When it happened (workflow time for a playbook's facts). */
  at: string;
  kind: string;
  /** The playbook run (its workflow ID) the fact belongs to; absent for facts about the case itself. */
  run?: string;
  /** The fact's place in its run's stream (0, 1, 2 …), so a run folds back in order. */
  n?: number;
  /** The person (or playbook) behind it. */
  actor?: string;
  data: Record<string, unknown>;
}

/** A run's facts as the store hands them back, with the order they were appended in. */
export type StoredCaseEvent = CaseEvent & { seq: number; caseId: string };

/** The fields of a run's view that grow as lists, and the fact each new (or changed) item is. */
const LISTS = {
  alertIds: 'alert.joined',
  scope: 'scope.joined',
  indicators: 'indicator.handled',
  enrichment: 'enrichment.added',
  sightings: 'sighting.added',
  evidence: 'evidence.added',
  actions: 'action.applied',
  skipped: 'step.skipped',
  approvals: 'approval.asked',
  timeline: 'note.added',
} as const satisfies Partial<Record<keyof PlaybookView, string>>;
type ListField = keyof typeof LISTS;

/** The fields of a run's view that are set (and reset), and the fact each change is. */
const VALUES = {
  status: 'status.changed',
  title: 'title.set',
  severity_id: 'severity.set',
  host: 'host.identified',
  remote: 'remote.identified',
  assessment: 'assessment.made',
  ticket: 'ticket.linked',
  containment: 'containment.recorded',
  closedAt: 'run.closed',
  report: 'report.written',
} as const satisfies Partial<Record<keyof PlaybookView, string>>;
type ValueField = keyof typeof VALUES;

/** A changed item of a list: the same fact kind with `.updated` (an approval decided, a host's address learned). */
const UPDATED = '.updated';

const KIND_TO_LIST = new Map<string, ListField>(Object.entries(LISTS).map(([f, k]) => [k, f as ListField]));
const KIND_TO_VALUE = new Map<string, ValueField>(Object.entries(VALUES).map(([f, k]) => [k, f as ValueField]));
const updatedKind = (field: ListField) => `${LISTS[field].split('.')[0]}${UPDATED}`;
const KIND_UPDATED_TO_LIST = new Map<string, ListField>((Object.keys(LISTS) as ListField[]).map((f) => [updatedKind(f), f]));

/** A fact without its key and place: what `runEvents` finds, before the run numbers it. */
export type NewCaseEvent = Omit<CaseEvent, 'key' | 'n' | 'run'>;

/**
 * The lists whose items change after they are added (an approval decided, a host's address
 * learned). The others only grow: how many items were written is all a run keeps of them.
 */
const CHANGING: ReadonlySet<ListField> = new Set(['approvals', 'scope']);

/**
 * What a run keeps of what it last wrote, to find what changed since — small on purpose: each
 * value and each changing item as JSON, the growing lists by their length (no copy of the view).
 */
export interface RunDigest {
  values: Partial<Record<ValueField, string>>;
  items: Partial<Record<ListField, string[]>>;
  lengths: Partial<Record<ListField, number>>;
}

/**
 * The facts that take a run's view from what it last wrote (`before`; undefined: nothing yet) to
 * `now` — a `run.started` first, then each changed value, each new list item and each changed
 * item — and the digest to compare the next write with.
 */
export function runEvents(before: RunDigest | undefined, now: PlaybookView, at: string): { events: NewCaseEvent[]; digest: RunDigest } {
  const out: NewCaseEvent[] = [];
  const digest: RunDigest = { values: {}, items: {}, lengths: {} };
  if (!before) {
    const { playbook, version, run, caseId, startedAt, dryRun } = now;
    out.push({ at: startedAt, kind: 'run.started', data: { caseId, playbook, ...(version !== undefined ? { version } : {}), run: run ?? 1, startedAt, ...(dryRun ? { dryRun } : {}) } });
  }
  for (const field of Object.keys(VALUES) as ValueField[]) {
    const is = now[field];
    if (is === undefined) continue;
    const json = JSON.stringify(is);
    digest.values[field] = json;
    if (before?.values[field] !== json) out.push({ at, kind: VALUES[field], data: { value: is } });
  }
  for (const field of Object.keys(LISTS) as ListField[]) {
    const is = (now[field] ?? []) as unknown[];
    const from = before?.lengths[field] ?? 0;
    digest.lengths[field] = is.length;
    if (CHANGING.has(field)) {
      const was = before?.items[field] ?? [];
      const jsons = is.map((item) => JSON.stringify(item));
      digest.items[field] = jsons;
      for (let i = 0; i < Math.min(from, is.length); i++) {
        if (was[i] !== jsons[i]) out.push({ at, kind: updatedKind(field), ...actorOf(is[i]), data: { index: i, item: is[i] } });
      }
    }
    for (let i = from; i < is.length; i++) out.push({ at: itemTime(is[i], at), kind: LISTS[field], ...actorOf(is[i]), data: { index: i, item: is[i] } });
  }
  return { events: out, digest };
}

/**
 * The end of a run that ended without writing it (terminated from the Temporal UI or CLI, timed
 * out, or its history gone): it failed, when, how, and the approvals it left waiting withdrawn —
 * so the case stops reading "running" or "awaiting approval" for ever. `how` says it in words.
 */
export function runEndedOutside(view: PlaybookView, how: string, at: string, status: PlaybookView['status'] = 'failed'): NewCaseEvent[] {
  const out: NewCaseEvent[] = [];
  view.approvals.forEach((a, index) => {
    if (a.status === 'pending') out.push({ at, kind: updatedKind('approvals'), data: { index, item: { ...a, status: 'withdrawn', decidedAt: at, comment: `withdrawn: ${how}` } } });
  });
  out.push({ at, kind: LISTS.timeline, data: { index: view.timeline.length, item: { at, step: status === 'failed' ? 'failed' : 'report', message: how } } });
  out.push({ at, kind: VALUES.status, data: { value: status } });
  out.push({ at, kind: VALUES.closedAt, data: { value: at } });
  return out;
}

/** A run's view as it starts: what it is, and every finding still empty. */
export function newRunView(
  start: Pick<PlaybookView, 'caseId' | 'playbook' | 'version' | 'run' | 'startedAt' | 'dryRun'> & Partial<Pick<PlaybookView, 'alertIds' | 'title' | 'severity_id' | 'host' | 'remote'>>
): PlaybookView & Required<Pick<PlaybookView, 'scope' | 'indicators' | 'sightings' | 'evidence' | 'actions' | 'skipped'>> {
  return {
    caseId: start.caseId,
    playbook: start.playbook,
    ...(start.version !== undefined ? { version: start.version } : {}),
    run: start.run ?? 1,
    status: 'running',
    alertIds: start.alertIds ?? [],
    title: start.title ?? '',
    severity_id: start.severity_id ?? 0,
    host: start.host ?? {},
    remote: start.remote ?? { ips: [], domains: [] },
    enrichment: [],
    ticket: null,
    approvals: [],
    containment: null,
    timeline: [],
    startedAt: start.startedAt,
    scope: [],
    indicators: [],
    sightings: [],
    evidence: [],
    actions: [],
    skipped: [],
    ...(start.dryRun ? { dryRun: true } : {}),
  };
}

/** A run's view, folded back from its facts (in their order). */
export function foldRun(events: CaseEvent[]): PlaybookView | undefined {
  const started = events.find((e) => e.kind === 'run.started');
  if (!started) return undefined;
  const view = newRunView(started.data as { caseId: string; playbook: string; version?: number; run: number; startedAt: string; dryRun?: boolean });
  const target = view as unknown as Record<string, unknown>;
  for (const e of events) {
    const value = KIND_TO_VALUE.get(e.kind);
    if (value) {
      target[value] = e.data.value;
      continue;
    }
    const added = KIND_TO_LIST.get(e.kind) ?? KIND_UPDATED_TO_LIST.get(e.kind);
    if (added) {
      const list = target[added] as unknown[];
      const { index, item } = e.data as { index: number; item: unknown };
      list[index] = item;
    }
  }
  return view;
}

/** A timeline entry or an approval carries its own time; other items take the write's. */
function itemTime(item: unknown, at: string): string {
  const o = item as { at?: unknown; requestedAt?: unknown };
  return typeof o?.at === 'string' ? o.at : typeof o?.requestedAt === 'string' ? o.requestedAt : at;
}

function actorOf(item: unknown): { actor?: string } {
  const o = item as { actor?: unknown; decidedBy?: unknown };
  const who = typeof o?.actor === 'string' ? o.actor : typeof o?.decidedBy === 'string' ? o.decidedBy : undefined;
  return who ? { actor: who } : {};
}

/** What people did to a case itself: who has it, its tags and comments, and whether they closed it. */
export interface CaseHandling {
  assignee?: string;
  tags: string[];
  comments: Array<{ at: string; by: string; text: string }>;
  /** Set while an analyst has the case closed (a reopen clears it). */
  resolution?: { at: string; by: string; text: string };
  /** When a person first acted on the case (a decision, verdict, comment, assignment …). */
  acknowledgedAt?: string;
  /** An analyst reopened it (and has not closed it since). */
  reopened?: boolean;
}

/** Case-level facts people write (the API), as opposed to a playbook run's. */
export const CaseFact = {
  commented: 'comment.added',
  assigned: 'case.assigned',
  tagged: 'case.tagged',
  closed: 'case.closed',
  reopened: 'case.reopened',
  verdict: 'verdict.set',
  undoRequested: 'undo.requested',
  /** An analyst ran a playbook again for the case. */
  rerun: 'playbook.rerun',
} as const;

/** Folds the case-level facts; a person's decision in a run also acknowledges the case. */
export function caseHandling(events: CaseEvent[]): CaseHandling {
  const out: CaseHandling = { tags: [], comments: [] };
  const ack = (at: string) => {
    if (!out.acknowledgedAt || at < out.acknowledgedAt) out.acknowledgedAt = at;
  };
  for (const e of events) {
    const d = e.data as Record<string, unknown>;
    if (e.kind === CaseFact.commented) out.comments.push({ at: e.at, by: e.actor ?? 'unknown', text: String(d.text) });
    else if (e.kind === CaseFact.assigned) out.assignee = typeof d.assignee === 'string' ? d.assignee : undefined;
    else if (e.kind === CaseFact.tagged) {
      const add = (d.add as string[] | undefined) ?? [];
      const remove = new Set((d.remove as string[] | undefined) ?? []);
      out.tags = [...new Set([...out.tags.filter((t) => !remove.has(t)), ...add])];
    } else if (e.kind === CaseFact.closed) {
      out.resolution = { at: e.at, by: e.actor ?? 'unknown', text: String(d.resolution ?? '') };
      delete out.reopened;
    } else if (e.kind === CaseFact.reopened) {
      delete out.resolution;
      out.reopened = true;
    }
    if (e.run === undefined && e.actor) ack(e.at);
    if (e.kind === 'approval.updated' && e.actor) ack(e.at);
  }
  if (!out.assignee) delete out.assignee;
  return out;
}
