// Runs in the Temporal sandbox. The case as a playbook run keeps it — status, scope, findings,
// approvals, actions, evidence and a timeline. The run writes what changed to the case record in
// Riposte's store (`flush`, at each step a person would look at: the start, an approval asked or
// decided, containment, the end); the API reads cases from there. `playbookViewQuery` still
// answers for a run in flight (and for dry runs, which write nothing).
import { proxyLocalActivities, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities/index.ts';
import { newRunView, runEvents, type CaseEvent, type RunDigest } from '../../core/case-events.ts';
import { alertHost, alertRemote, type NativeAlert } from '../../core/alert.ts';
import type { ActionRecord, CaseStatus, ContainmentRecord, EvidenceItem, PlaybookView, ScopeItem, Sighting, SkippedStep, TicketRef } from '../../core/case.ts';
import type { Assessment, EnrichmentOutcome } from '../../core/verdict.ts';
import { playbookViewQuery, type PlaybookInput } from '../definitions.ts';
import { RECORD } from './activity-options.ts';
import { carriesSearchAttributes, runAttributeUpdates } from '../search-attributes.ts';

/** Sightings kept in the view at most; the hunt's counts say how many there were. */
const SIGHTINGS_KEPT = 200;

/** Runs before this patch kept their record only in their history; from it on they write the store. */
export const RECORD_PATCH = 'case-record-store';

const { caseRecordAppend } = proxyLocalActivities<Activities>(RECORD);

export class CaseRecord {
  readonly view: PlaybookView & Required<Pick<PlaybookView, 'scope' | 'indicators' | 'sightings' | 'evidence' | 'actions' | 'skipped'>>;

  /** What the record has been told so far (a digest of the view as of the last change queued). */
  private told?: RunDigest;
  /** Facts queued for the store and not yet written, each with its key. */
  private unsent: CaseEvent[] = [];
  /** Facts queued so far: the next one's place in the run's stream. */
  private queued = 0;
  /**
   * Whether this run writes the case record: decided by its first command (`runPlaybook` asks
   * `patched` before anything else — asked first after a local activity, a replay can miss the
   * marker). Runs from before the record existed keep their record in their history only.
   */
  recording = false;

  constructor(playbook: string, input: PlaybookInput, opts: { version?: number } = {}) {
    const { alert } = input;
    this.view = newRunView({
      caseId: input.caseId,
      playbook,
      ...(opts.version !== undefined ? { version: opts.version } : {}),
      run: input.run ?? 1,
      startedAt: now(),
      ...(input.dryRun ? { dryRun: true } : {}),
      alertIds: [alert.id],
      title: alert.title,
      severity_id: alert.severity_id,
      host: alertHost(alert),
      remote: alertRemote(alert),
    });
    this.joinFromAlert(alert);
    setHandler(playbookViewQuery, () => this.view);
  }

  note(step: string, message: string, actor?: string): void {
    this.view.timeline.push({ at: now(), step, message, ...(actor ? { actor } : {}) });
  }

  setStatus(status: CaseStatus): void {
    this.view.status = status;
  }

  /** A later alert of the case: its hosts, users and resources join the scope. */
  addAlert(alert: NativeAlert): void {
    if (!this.view.alertIds.includes(alert.id)) this.view.alertIds.push(alert.id);
    this.joinFromAlert(alert);
  }

  /** Adds an entity to the case's scope once; returns true when it is new. */
  joinScope(item: Omit<ScopeItem, 'at'>): boolean {
    const same = this.view.scope.find((s) => s.type === item.type && (s.value === item.value || (item.ip !== undefined && s.ip === item.ip) || s.ip === item.value));
    if (same) {
      if (item.ip && !same.ip) same.ip = item.ip;
      return false;
    }
    this.view.scope.push({ ...item, at: now() });
    if (item.joinedBy !== 'alert') this.note('scope', `${item.type} ${item.value}${item.ip && item.ip !== item.value ? ` (${item.ip})` : ''} joins the case: ${item.reason}`);
    return true;
  }

  /** The hosts in scope, each with what is known of its name and address. */
  hosts(): Array<{ hostname?: string; ip?: string; joinedBy: ScopeItem['joinedBy'] }> {
    return this.view.scope
      .filter((s) => s.type === 'host')
      .map((s) => {
        const isIp = /^[0-9.]+$|:/.test(s.value);
        return { ...(isIp ? {} : { hostname: s.value }), ...(s.ip ? { ip: s.ip } : isIp ? { ip: s.value } : {}), joinedBy: s.joinedBy };
      });
  }

  handled(indicators: Array<{ type: string; value: string }>): void {
    for (const i of indicators) if (!this.view.indicators.some((h) => h.type === i.type && h.value === i.value)) this.view.indicators.push({ type: i.type, value: i.value });
  }

  addEnrichment(outcomes: EnrichmentOutcome[]): void {
    this.view.enrichment.push(...outcomes);
  }

  assess(assessment: Assessment): void {
    this.view.assessment = assessment;
  }

  addSightings(sightings: Sighting[]): void {
    this.view.sightings.push(...sightings.slice(0, Math.max(0, SIGHTINGS_KEPT - this.view.sightings.length)));
  }

  addEvidence(item: EvidenceItem): void {
    if (!this.view.evidence.some((e) => e.evidenceId === item.evidenceId)) this.view.evidence.push(item);
  }

  addAction(action: ActionRecord): void {
    this.view.actions.push(action);
    const all = this.view.actions;
    const simulated = all.every((a) => a.simulated);
    const summary: ContainmentRecord = {
      driver: [...new Set(all.map((a) => a.driver))].join(', '),
      action: all.map((a) => `${a.simulated ? 'simulated: ' : ''}${a.description}`).join('\n'),
      targets: [...new Set(all.map((a) => a.target))],
      at: action.at,
      refs: all.map((a) => a.id),
      simulated,
    };
    this.view.containment = summary;
  }

  /** A step nothing is configured for, with the variables that would enable it. */
  skip(step: string, reason: string, enableWith: string[]): void {
    if (this.view.skipped.some((s) => s.step === step)) return; // said once per run
    this.view.skipped.push({ step, reason, enableWith } satisfies SkippedStep);
    this.note(step, `skipped: ${reason}${enableWith.length ? ` (set ${enableWith.join(', ')})` : ''}`);
  }

  setTicket(ticket: TicketRef): void {
    this.view.ticket = ticket;
  }

  /** Version-1 style single containment record (kept for runs that still use it). */
  contained(record: ContainmentRecord): void {
    this.view.containment = record;
  }

  /**
   * Writes what changed since the last write to the case record (nothing on a dry run). Facts
   * carry keys derived from the run, so a retried write (or one replayed after a crash) adds
   * nothing twice; a write that fails for a day is noted, and its facts go with the next one.
   */
  async flush(): Promise<void> {
    if (this.view.dryRun) return;
    const { workflowId } = workflowInfo();
    const { events: fresh, digest } = runEvents(this.told, this.view, now());
    this.told = digest;
    for (const e of fresh) {
      const n = this.queued++;
      this.unsent.push({ ...e, key: `${workflowId}:${n}`, run: workflowId, n });
    }
    if (this.recording) this.updateSearchAttributes();
    if (this.unsent.length === 0 || !this.recording) return;
    const batch = this.unsent;
    try {
      await caseRecordAppend({ caseId: this.view.caseId, events: batch });
      this.unsent = this.unsent.filter((e) => !batch.includes(e));
    } catch (err) {
      this.note('record', `could not write the case record (it is tried again at the next step): ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /**
   * The run's status and hosts in its Temporal search attributes, when they changed — only for a
   * run its case started with them (so older histories replay unchanged). Rides on the flush's
   * workflow task: no task of its own.
   */
  private updateSearchAttributes(): void {
    const attrs = workflowInfo().typedSearchAttributes;
    if (!carriesSearchAttributes(attrs)) return;
    const hosts = this.hosts().flatMap((h) => [h.hostname, h.ip].filter((v): v is string => Boolean(v)));
    const updates = runAttributeUpdates(attrs, this.view.status, [...new Set(hosts)]);
    if (updates.length > 0) upsertSearchAttributes(updates);
  }

  finish(status: CaseStatus): void {
    this.view.status = status;
    this.view.closedAt = now();
  }

  private joinFromAlert(alert: NativeAlert): void {
    const host = alertHost(alert);
    const name = host.hostname ?? host.ip;
    const reason = `named by alert ${alert.id}`;
    if (name) this.joinScope({ type: 'host', value: name, ...(host.ip ? { ip: host.ip } : {}), joinedBy: 'alert', reason });
    for (const o of alert.observables) {
      if (o.type === 'cloud_resource' && o.role === 'src') this.joinScope({ type: 'cloud_resource', value: o.value, joinedBy: 'alert', reason });
      if (o.type === 'user' && o.role !== 'dst') this.joinScope({ type: 'user', value: o.value, joinedBy: 'alert', reason });
    }
    if (alert.principal?.accessKeyId) this.joinScope({ type: 'credential', value: alert.principal.accessKeyId, joinedBy: 'alert', reason });
  }
}

/** Workflow time: deterministic, advanced by Temporal, safe to replay. */
export function now(): string {
  return new Date().toISOString();
}
