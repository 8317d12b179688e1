// Runs in the Temporal sandbox. The playbook kit: a playbook declares itself with
// `definePlaybook` (name, route, settings, approvals, side effects) and tells its response as a
// story run by `runPlaybook`, which does what every playbook shares — read the run's settings and
// providers once, keep the case record, take later alerts into the run, fail loudly, report, and
// tell the case it ended.
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  getExternalWorkflowHandle,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import type { ApprovalPolicy, PlaybookContext, Providers, SettingDeclaration } from '../activities/playbook/types.ts';
import type { NativeAlert, Observable } from '../core/alert.ts';
import type { CaseStatus, PlaybookView } from '../core/case.ts';
import { isPrivilegedCapability, playbookSettingEnv } from '../core/settings.ts';
import { ApprovalGate, DECIDE_ONCE_ACCEPTED_PATCH } from './blocks/approval-gate.ts';
import { CONTAINING_OPS } from './blocks/contain.ts';
import { LOCAL, LOOKUP } from './blocks/activity-options.ts';
import { CaseRecord, RECORD_PATCH, now } from './blocks/case-record.ts';
import { QUICK_CALLS_PATCH } from './blocks/quick.ts';
import { caseReport } from './blocks/report.ts';
import { TicketSync, message } from './blocks/ticket-sync.ts';
import {
  indicatorKey,
  playbookAlertsSignal,
  playbookFinishedSignal,
  privilegedTaskQueue,
  type DryRunOptions,
  type PlaybookInfo,
  type PlaybookInput,
} from './definitions.ts';

export interface SettingSpec extends SettingDeclaration {
  description: string;
}

/** What a playbook says about itself, beside its code. */
export interface PlaybookMeta<S extends string = string> {
  /** kebab-case; also the prefix of its workflow IDs and the name in GET /v1/playbooks. */
  name: string;
  title: string;
  /** Raised with every published change; changes to running code go behind `patched()`. */
  version: number;
  description: string;
  /** Which alerts start it. Decided on the worker side only (the case workflow reads it). */
  route: { description: string; matches(alert: NativeAlert): boolean };
  /**
   * The indicators of an alert that this playbook responds to. A later alert with new ones grows
   * a running run (or starts a new run once the last one ended); one with none it handled adds
   * only to the scope.
   */
  indicators(alert: NativeAlert): Observable[];
  settings: Record<S, SettingSpec>;
  /** The approvals it may ask, by id, in words. */
  approvals: Record<string, string>;
  /** The side effects it may take: ticket, notify, page, contain:<kind>, collect:<kind>, cloud:<change>. */
  sideEffects: readonly string[];
}

export function definePlaybook<S extends string>(meta: PlaybookMeta<S>): PlaybookMeta<S> {
  return meta;
}

/** The settings every playbook that asks for approval has. */
export const APPROVAL_SETTINGS = {
  approvalTimeout: {
    default: '30m',
    kind: 'duration',
    description: 'how long an approval waits before it escalates (pages, then follows onApprovalTimeout)',
    fallbackEnv: ['RIPOSTE_APPROVAL_TIMEOUT'],
  },
  onApprovalTimeout: {
    default: 'none',
    kind: 'enum',
    choices: ['none', 'contain'],
    description: 'what happens when nobody decides in time: none (do nothing) or contain',
  },
} as const satisfies Record<string, SettingSpec>;

/** Indicators one round acts on, at most; the rest are named in the timeline and left for a new run. */
export const MAX_INDICATORS = 25;
/** Rounds one run takes for later alerts before it leaves the rest to a new run. */
export const MAX_ROUNDS = 5;

/** The alerts and new indicators one pass of the story handles. */
export interface Round {
  number: number;
  alerts: NativeAlert[];
  /** Indicators this round is the first to handle (at most MAX_INDICATORS). */
  indicators: Observable[];
}

export type Story<S extends string> = (run: PlaybookRun<S>) => Promise<void>;

/** One run of a playbook: its settings and providers, the case record and the shared blocks. */
export class PlaybookRun<S extends string = string> {
  readonly record: CaseRecord;
  readonly approvals: ApprovalGate;
  readonly ticket: TicketSync;
  readonly settings: Record<S, string>;
  readonly providers: Providers;
  readonly unconfigured: Record<string, string[]>;
  readonly approvalPolicy: ApprovalPolicy;
  readonly dryRun?: DryRunOptions;
  /** Lookups, hunts and ticket updates go first as local activities (blocks/quick.ts); runs from before, never. */
  quick = false;
  round: Round;
  /** What a story keeps between its rounds (workflow state: rebuilt exactly on replay). */
  readonly memo: Record<string, unknown> = {};
  private readonly pending: NativeAlert[] = [];
  /** Alerts with indicators this run will not handle (past the round or indicator bounds): the case starts a new run for them. */
  private readonly deferred: NativeAlert[] = [];
  /** Alerts already handed back to the case (each once). */
  private readonly handedBack = new Set<string>();

  constructor(
    readonly meta: PlaybookMeta<S>,
    readonly input: PlaybookInput,
    context: PlaybookContext
  ) {
    this.settings = context.settings as Record<S, string>;
    this.providers = context.providers;
    this.unconfigured = context.unconfigured;
    this.approvalPolicy = context.approvalPolicy ?? { twoPerson: [], criticalAssets: [] };
    if (input.dryRun) this.dryRun = input.dryRun;
    this.record = new CaseRecord(meta.name, input, { version: meta.version });
    this.approvals = new ApprovalGate(this);
    this.ticket = new TicketSync(this);
    this.round = { number: 1, alerts: [input.alert], indicators: this.take([input.alert]) };
    setHandler(playbookAlertsSignal, ({ alerts }) => {
      for (const alert of alerts) {
        this.record.addAlert(alert);
        this.pending.push(alert);
      }
    });
  }

  get caseId(): string {
    return this.input.caseId;
  }

  /** `${workflowId}:${step}`: the idempotency key of a side effect, the same on every retry. */
  key(step: string): string {
    return `${workflowInfo().workflowId}:${step}`;
  }

  /** Activities on the privileged task queue (hosts, networks, cloud accounts, raw disks). */
  privileged(options: ActivityOptions) {
    return proxyActivities<Activities>({ ...options, taskQueue: privilegedTaskQueue(workflowInfo().taskQueue) });
  }

  /** Says in the timeline what a dry run would have done, and returns true on a dry run. */
  wouldDo(step: string, what: string): boolean {
    if (!this.dryRun) return false;
    this.record.note(step, `dry run: would ${what}`);
    return true;
  }

  /** Starts the next round when later alerts brought indicators this run has not handled. */
  nextRound(): boolean {
    if (this.pending.length === 0) return false;
    const alerts = this.pending.splice(0);
    const fresh = this.fresh(alerts);
    if (fresh.length === 0) {
      this.record.note('scope', `later alert${alerts.length > 1 ? 's' : ''} ${alerts.map((a) => a.id).join(', ')}: no new indicators; scope updated`);
      return false;
    }
    if (this.round.number >= MAX_ROUNDS) {
      this.deferred.push(...alerts);
      this.record.note('scope', `later alerts bring ${fresh.map((i) => i.value).join(', ')}; this run has taken ${MAX_ROUNDS} rounds, so a new run will handle them`);
      return false;
    }
    this.round = { number: this.round.number + 1, alerts, indicators: this.take(alerts) };
    this.record.note('round', `round ${this.round.number}: later alert${alerts.length > 1 ? 's' : ''} ${alerts.map((a) => a.id).join(', ')} bring ${this.round.indicators.map((i) => i.value).join(', ')}`);
    return true;
  }

  /**
   * The alerts with indicators this run did not handle — past its rounds or its indicator bound,
   * or arrived while it reported — for its case to start a new run with (about 512 KiB a message;
   * the rest in the next one).
   */
  leftovers(): NativeAlert[] {
    const handled = new Set([...this.record.view.indicators.map(indicatorKey), ...(this.input.handledBefore ?? [])]);
    const out: NativeAlert[] = [];
    let bytes = 0;
    for (const alert of [...this.deferred, ...this.pending]) {
      if (this.handedBack.has(alert.id) || this.meta.indicators(alert).every((i) => handled.has(indicatorKey(i)))) continue;
      bytes += utf8Bytes(JSON.stringify(alert));
      if (bytes > LEFTOVER_BYTES && out.length > 0) break; // the rest go in the next message
      this.handedBack.add(alert.id);
      out.push(alert);
    }
    return out;
  }

  /** Whether alerts with unhandled indicators are waiting to be handed back to the case. */
  hasLeftovers(): boolean {
    const handled = new Set([...this.record.view.indicators.map(indicatorKey), ...(this.input.handledBefore ?? [])]);
    return [...this.deferred, ...this.pending].some((a) => !this.handedBack.has(a.id) && this.meta.indicators(a).some((i) => !handled.has(indicatorKey(i))));
  }

  /** New indicators of these alerts (not handled by this run yet), de-duplicated, in order. */
  private fresh(alerts: NativeAlert[]): Observable[] {
    const seen = new Set([...this.record.view.indicators.map(indicatorKey), ...(this.input.handledBefore ?? [])]);
    const fresh: Observable[] = [];
    for (const i of alerts.flatMap((a) => this.meta.indicators(a))) {
      if (seen.has(indicatorKey(i))) continue;
      seen.add(indicatorKey(i));
      fresh.push(i);
    }
    return fresh;
  }

  /** The round's indicators: the first MAX_INDICATORS new ones, marked handled; the rest are left to a new run. */
  private take(alerts: NativeAlert[]): Observable[] {
    const fresh = this.fresh(alerts);
    const taken = fresh.slice(0, MAX_INDICATORS);
    this.record.handled(taken);
    if (fresh.length > MAX_INDICATORS) {
      this.record.note('scope', `${fresh.length} indicators; this round takes the first ${MAX_INDICATORS}, a new run the rest (${fresh.slice(MAX_INDICATORS).map((i) => i.value).join(', ').slice(0, 500)})`);
      this.deferred.push(...alerts);
    }
    return taken;
  }
}

/** How much of its leftover alerts a run hands back to its case in one signal (Temporal's payload limit is 2 MB). */
const LEFTOVER_BYTES = 512 * 1024;

/** A string's size in UTF-8 (no TextEncoder needed in the sandbox). */
function utf8Bytes(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7ff) n += c >= 0xd800 && c <= 0xdbff ? 1 : 2; // a surrogate pair is 4 bytes for 2 units
    else if (c > 0x7f) n += 1;
  }
  return n;
}

/**
 * Runs a playbook's story: once for the alert that started it, and again for each later alert
 * with new indicators. Ends contained when any action was taken (or, with a log-only driver,
 * would have been), closed otherwise; a failure is recorded, noted on the ticket and raised.
 */
export async function runPlaybook<S extends string>(meta: PlaybookMeta<S>, input: PlaybookInput, story: Story<S>): Promise<PlaybookView> {
  // First of all its commands: whether this run writes the case record.
  const recording = patched(RECORD_PATCH);
  const decidesOnceAccepted = patched(DECIDE_ONCE_ACCEPTED_PATCH);
  const quick = patched(QUICK_CALLS_PATCH);
  const context = await readPlaybookContext(meta, input.settings);
  const run = new PlaybookRun(meta, input, context);
  const { record } = run;
  record.recording = recording;
  run.approvals.decidesOnceAccepted = decidesOnceAccepted;
  run.quick = quick;
  record.note('start', `${meta.name} v${meta.version}${input.dryRun ? ' (dry run)' : ''}${(input.run ?? 1) > 1 ? `, run ${input.run}` : ''}${input.requestedBy ? `, run again by ${input.requestedBy}` : ''} — alert ${input.alert.id}: ${input.alert.title}`);
  await record.flush();
  try {
    do {
      await story(run);
      await condition(allHandlersFinished);
    } while (run.nextRound());
    record.finish(outcome(record.view));
    record.note('report', `case ${record.view.status}${record.view.containment?.simulated ? ' (simulated: nothing was changed)' : ''}`);
    record.view.report = caseReport(record.view, record.view.closedAt ?? now());
    await run.ticket.note('report', record.view.report);
    await record.flush();
  } catch (err) {
    record.finish('failed');
    record.note('failed', message(err));
    await run.ticket.note('failure', `The playbook failed: ${message(err)}. Actions in place: ${record.view.actions.filter((a) => !a.simulated).map((a) => a.description).join('; ') || 'none'}.`);
    await record.flush();
    await tellCase(run);
    throw ApplicationFailure.nonRetryable(`${meta.name} playbook failed: ${message(err)}`, 'PlaybookFailedError');
  }
  await condition(allHandlersFinished);
  await tellCase(run);
  // Alerts the case sent while it heard this run was over: they go back too, until none is left.
  const toCase = Boolean(workflowInfo().parent) && !run.dryRun;
  while (toCase && run.hasLeftovers() && patched(LATE_ALERTS_PATCH)) {
    await tellCase(run);
    await condition(allHandlersFinished);
  }
  return record.view;
}

/** A run hands back alerts that reach it after it told its case it was over. */
const LATE_ALERTS_PATCH = 'playbook-late-alerts';

function outcome(view: PlaybookView): CaseStatus {
  return (view.actions ?? []).some((a) => CONTAINING_OPS.has(a.op)) ? 'contained' : 'closed';
}

/** The run's settings and providers, read once from the worker's configuration and recorded. */
export async function readPlaybookContext<S extends string>(meta: PlaybookMeta<S>, overrides?: Record<string, string>): Promise<PlaybookContext> {
  const { playbookReadContext } = proxyLocalActivities<Activities>(LOCAL);
  const settings = Object.fromEntries(
    Object.entries<SettingSpec>(meta.settings).map(([name, { default: d, kind, choices, fallbackEnv }]) => [name, { default: d, kind, ...(choices ? { choices } : {}), ...(fallbackEnv ? { fallbackEnv } : {}) }])
  );
  const context = await playbookReadContext({ playbook: meta.name, settings, ...(overrides ? { overrides } : {}) });
  if (!context.split) return context;
  // A split deployment: the privileged worker says who collects and who contains.
  const { playbookPrivilegedProviders } = proxyActivities<Activities>({ ...LOOKUP, taskQueue: privilegedTaskQueue(workflowInfo().taskQueue) });
  const p = await playbookPrivilegedProviders();
  const unconfigured = Object.fromEntries(Object.entries(context.unconfigured).filter(([cap]) => !isPrivilegedCapability(cap)));
  return { ...context, providers: { ...context.providers, collect: p.collect, contain: p.contain }, unconfigured: { ...unconfigured, ...p.unconfigured } };
}

/** When a case started this run, tell it the run is over and what it handled. */
async function tellCase(run: PlaybookRun): Promise<void> {
  const parent = workflowInfo().parent;
  if (!parent || run.dryRun) return;
  const { view } = run.record;
  const leftovers = run.leftovers();
  try {
    await getExternalWorkflowHandle(parent.workflowId).signal(playbookFinishedSignal, {
      workflowId: workflowInfo().workflowId,
      status: view.status,
      playbook: run.meta.name,
      handled: view.indicators.map(indicatorKey),
      ...(leftovers.length > 0 ? { leftovers } : {}),
    });
  } catch {
    // The case has already ended; nothing waits for this run.
  }
}

/** A playbook as the catalog shows it. */
export function playbookInfo(meta: PlaybookMeta, workflowType: string): PlaybookInfo {
  return {
    name: meta.name,
    title: meta.title,
    version: meta.version,
    workflowType,
    description: meta.description,
    route: meta.route.description,
    settings: Object.entries<SettingSpec>(meta.settings).map(([name, s]) => ({
      name,
      env: playbookSettingEnv(meta.name, name),
      default: s.default,
      description: s.description,
      ...(s.choices ? { choices: s.choices } : {}),
    })),
    approvals: Object.entries(meta.approvals).map(([id, description]) => ({ id, description })),
    sideEffects: [...meta.sideEffects],
  };
}
