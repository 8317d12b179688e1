// Runs in the Temporal sandbox: no I/O, no Node APIs, no environment access.
//
// One case: a long-lived workflow that receives its alerts in batches (alertsSignal) and routes
// them to playbooks (child workflows). A later alert for a playbook that is running joins that
// run (its scope grows); once the run has ended, a new run starts only if the alert brings
// indicators the last run did not handle. The case ends once it has been idle — no new alert,
// no running playbook — for the idle timeout, and continues as new before its history grows
// large, carrying its state.
import { ApplicationFailure, WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  allHandlersFinished,
  condition,
  makeContinueAsNewFunc,
  getExternalWorkflowHandle,
  log,
  ParentClosePolicy,
  patched,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import type { NativeAlert } from '../core/alert.ts';
import {
  alertsSignal,
  caseStateQuery,
  rerunPlaybookUpdate,
  RerunErrorType,
  type RerunPlaybookInput,
  type RerunPlaybookResult,
  indicatorKey,
  playbookAlertsSignal,
  playbookFinishedSignal,
  playbookWorkflowId,
  type CaseAlertItem,
  type CaseInput,
  type CaseState,
  startedUntraced,
  untracedMemo,
} from './definitions.ts';
import { MAX_INDICATORS } from './playbook.ts';
import { PLAYBOOKS, type PlaybookEntry } from './playbooks/index.ts';
import { routesFor } from './routing.ts';
import { carriesSearchAttributes, runSearchAttributes } from './search-attributes.ts';

/** Continue as new well before Temporal's suggested 4,096 events (and its 10,000-signal cap). */
export const HISTORY_BUDGET = 2000;
/** …or before the history's size grows past this many bytes (alerts travel whole). */
export const HISTORY_BYTES_BUDGET = 8 * 1024 * 1024;
/** Indicator keys remembered per playbook (bounded: the carried state stays small). */
const HANDLED_KEPT = 500;
/** Runs of one playbook in one case started for what earlier runs left, at most (a bound on a runaway). */
const MAX_RUNS = 20;

/** Later alerts join running playbooks; ended ones start a new run for new indicators. */
const SCOPE_PATCH = 'case-scope-v2';
/** Alerts a run leaves unhandled (past its rounds or bounds) get a new run, which skips what earlier runs handled. */
const LEFTOVERS_PATCH = 'case-leftovers';
/** The one playbook cases routed to before the library: histories from then replay its routing only. */
const FIRST_PLAYBOOK = 'suspected-c2';

export async function caseWorkflow(input: CaseInput): Promise<CaseState> {
  const state: CaseState = input.carried ?? { lastSeq: 0, alerts: 0, resolved: 0, playbooks: {}, runs: 0 };
  state.runs += 1;
  const inbox: CaseAlertItem[] = [];
  /** Alerts ended runs left unhandled, per playbook: each gets a new run. */
  const leftovers: Array<{ playbook: string; alerts: NativeAlert[] }> = [];
  setHandler(alertsSignal, ({ items }) => void inbox.push(...items));
  setHandler(playbookFinishedSignal, ({ workflowId, playbook, handled, leftovers: left }) => {
    if (state.playbooks[workflowId]) state.playbooks[workflowId] = 'done';
    const latest = playbook ? state.latest?.[playbook] : undefined;
    if (latest && latest.workflowId === workflowId && handled) latest.handled = [...new Set([...latest.handled, ...handled])].slice(-HANDLED_KEPT);
    if (playbook && left?.length && patched(LEFTOVERS_PATCH)) leftovers.push({ playbook, alerts: left });
  });
  setHandler(caseStateQuery, () => state);
  setHandler(rerunPlaybookUpdate, (req) => rerun(input, state, req), { validator: (req) => void rerunTarget(state, req) });

  const running = () => Object.values(state.playbooks).includes('running');
  for (;;) {
    const woke = await condition(() => inbox.length > 0 || leftovers.length > 0, input.settings.idleTimeout);
    if (inbox.length > 0 || leftovers.length > 0) {
      if (inbox.length > 0) await handle(input, state, inbox.splice(0).sort((a, b) => a.seq - b.seq));
      for (const { playbook, alerts } of leftovers.splice(0)) {
        const entry = PLAYBOOKS.find((p) => p.meta.name === playbook);
        if (entry) await followUp(input, state, entry, alerts);
      }
    } else if (!woke && !running()) {
      break; // idle, and nothing running: the case is over
    } else if (!woke && patched('case-probe-playbooks')) {
      await probe(state); // a run that was terminated (or failed) without telling us still lets the case end
    }
    const info = workflowInfo();
    const tooLong = info.historyLength > (input.historyBudget ?? HISTORY_BUDGET) || info.continueAsNewSuggested;
    // Cases from before the playbook library (no scope marker) continued as new on length only.
    if (tooLong || (info.historySize > HISTORY_BYTES_BUDGET && patched(SCOPE_PATCH))) {
      await condition(allHandlersFinished);
      // An untraced case goes on untraced: the SDK carries no memo unless told.
      if (inbox.length === 0 && leftovers.length === 0) await makeContinueAsNewFunc<typeof caseWorkflow>(untracedMemo(startedUntraced()))({ ...input, carried: state });
    }
  }
  await condition(allHandlersFinished);
  return state;
}

async function handle(input: CaseInput, state: CaseState, items: CaseAlertItem[]): Promise<void> {
  const scopeV2 = patched(SCOPE_PATCH);
  /** Alerts for running playbooks, sent as one signal per run. */
  const joining = new Map<string, { entry: PlaybookEntry; alerts: NativeAlert[] }>();
  for (const item of items) {
    if (item.seq <= state.lastSeq) continue; // delivered twice (the dispatcher is at-least-once)
    state.lastSeq = item.seq;
    if (item.kind === 'resolved') {
      state.resolved += 1;
      continue;
    }
    state.alerts += 1;
    if (!item.alert) continue; // no route can start a playbook for it
    for (const entry of routesFor(item.alert)) {
      if (!scopeV2) {
        if (entry.meta.name === FIRST_PLAYBOOK) await startRun(input, state, entry, item.alert, 1);
        continue;
      }
      const latest = state.latest?.[entry.meta.name] ?? legacyRun(state, entry, input.caseId);
      if (latest && state.playbooks[latest.workflowId] === 'running') {
        const j = joining.get(latest.workflowId) ?? { entry, alerts: [] };
        j.alerts.push(item.alert);
        joining.set(latest.workflowId, j);
        continue;
      }
      if (latest && !hasNewIndicators(entry, item.alert, latest.handled)) {
        log.info('alert brings nothing new for an ended playbook', { playbook: entry.meta.name, alertId: item.alert.id });
        continue;
      }
      await startRun(input, state, entry, item.alert, (latest?.run ?? 0) + 1, latest?.handled.length && patched(LEFTOVERS_PATCH) ? latest.handled : undefined);
    }
  }
  for (const [workflowId, { entry, alerts }] of joining) {
    try {
      await getExternalWorkflowHandle(workflowId).signal(playbookAlertsSignal, { alerts });
    } catch {
      // It ended in the meantime: what it did not handle gets a new run.
      state.playbooks[workflowId] = 'done';
      if (patched(LEFTOVERS_PATCH)) {
        await followUp(input, state, entry, alerts);
        continue;
      }
      const latest = state.latest?.[entry.meta.name];
      const fresh = alerts.filter((a) => hasNewIndicators(entry, a, latest?.handled ?? []));
      if (fresh[0]) await startRun(input, state, entry, fresh[0], (latest?.run ?? 1) + 1);
    }
  }
}

/**
 * A new run for alerts an ended run did not handle: it starts with the first and the others join
 * it; it leaves alone what earlier runs handled.
 */
async function followUp(input: CaseInput, state: CaseState, entry: PlaybookEntry, alerts: NativeAlert[]): Promise<void> {
  const latest = state.latest?.[entry.meta.name];
  const handled = latest?.handled ?? [];
  const fresh = alerts.filter((a) => hasNewIndicators(entry, a, handled));
  if (fresh.length === 0) return;
  // A run of this playbook is going already (one the case started meanwhile): they join it.
  if (latest && state.playbooks[latest.workflowId] === 'running') {
    try {
      return await getExternalWorkflowHandle(latest.workflowId).signal(playbookAlertsSignal, { alerts: fresh });
    } catch {
      state.playbooks[latest.workflowId] = 'done';
    }
  }
  const run = (latest?.run ?? 1) + 1;
  if (run > MAX_RUNS) {
    log.warn('a playbook has taken its most runs in this case; later indicators are left to an analyst', { playbook: entry.meta.name, runs: MAX_RUNS, alerts: fresh.map((a) => a.id) });
    return;
  }
  const [first, ...rest] = fresh as [NativeAlert, ...NativeAlert[]];
  const workflowId = await startRun(input, state, entry, first, run, handled);
  if (!workflowId || rest.length === 0) return;
  try {
    await getExternalWorkflowHandle(workflowId).signal(playbookAlertsSignal, { alerts: rest });
  } catch {
    state.playbooks[workflowId] = 'done';
    await followUp(input, state, entry, rest);
  }
}

/** The playbook an analyst's re-run names and the alerts its route takes; refuses (before history) what cannot run. */
function rerunTarget(state: CaseState, req: RerunPlaybookInput): { entry: PlaybookEntry; alerts: NativeAlert[] } {
  const refuse = (type: string, message: string) => ApplicationFailure.create({ type, message, nonRetryable: true });
  const entry = PLAYBOOKS.find((p) => p.meta.name === req.playbook);
  if (!entry) throw refuse(RerunErrorType.unknownPlaybook, `no playbook ${req.playbook}`);
  const latest = state.latest?.[entry.meta.name];
  if (latest && state.playbooks[latest.workflowId] === 'running') throw refuse(RerunErrorType.running, `run ${latest.run} of ${entry.meta.name} is still going in this case (${latest.workflowId}); decide or wait for it first`);
  const alerts = req.alerts.filter((a) => entry.meta.route.matches(a));
  if (alerts.length === 0) throw refuse(RerunErrorType.noMatchingAlert, `none of this case’s alerts is one ${entry.meta.name} responds to (${entry.meta.route.description})`);
  return { entry, alerts };
}

/**
 * An analyst's re-run: a new run of the playbook, numbered after every earlier one (the case's
 * and the record's), with the first alert its route takes; the others join it. It handles every
 * indicator afresh and records who asked, who then may not approve what it asks.
 */
async function rerun(input: CaseInput, state: CaseState, req: RerunPlaybookInput): Promise<RerunPlaybookResult> {
  const { entry, alerts } = rerunTarget(state, req);
  const [first, ...rest] = alerts as [NativeAlert, ...NativeAlert[]];
  let run = Math.max(state.latest?.[entry.meta.name]?.run ?? 0, req.after) + 1;
  let workflowId = await startRun(input, state, entry, first, run, undefined, req.requestedBy);
  // A number taken already (a run this case workflow does not know of) moves to the next.
  for (let tries = 1; !workflowId && tries < 5; tries++) workflowId = await startRun(input, state, entry, first, ++run, undefined, req.requestedBy);
  if (!workflowId) throw ApplicationFailure.create({ type: RerunErrorType.running, message: `could not number a new run of ${entry.meta.name}: runs up to ${run} exist`, nonRetryable: true });
  if (rest.length > 0) {
    try {
      await getExternalWorkflowHandle(workflowId).signal(playbookAlertsSignal, { alerts: rest });
    } catch {
      log.warn('a re-run ended before the rest of its alerts joined it', { workflowId });
    }
  }
  return { workflowId, run, alertId: first.id, joined: rest.length };
}

/**
 * Starts a playbook run as a child; its workflow ID makes a second start of the same run
 * impossible. Returns the run's workflow ID when it started.
 */
async function startRun(input: CaseInput, state: CaseState, entry: PlaybookEntry, alert: NativeAlert, run: number, handledBefore?: string[], requestedBy?: string): Promise<string | undefined> {
  const workflowId = playbookWorkflowId(entry.meta.name, input.caseId, run);
  if (state.playbooks[workflowId]) return undefined;
  try {
    await startChild(entry.workflowType, {
      workflowId,
      args: [
        {
          caseId: input.caseId,
          alert,
          run,
          ...(input.playbookSettings ? { settings: input.playbookSettings } : input.settings.approvalTimeout ? { settings: legacySettings(input) } : {}),
          ...(handledBefore?.length ? { handledBefore } : {}),
          ...(requestedBy ? { requestedBy } : {}),
        },
      ],
      // A case that carries Riposte's search attributes gives its runs theirs (older cases did not).
      ...(carriesSearchAttributes(workflowInfo().typedSearchAttributes) ? { typedSearchAttributes: runSearchAttributes(input.caseId, entry.meta.name, alert) } : {}),
      // A case started untraced starts its runs untraced (workflows/interceptors.ts).
      ...untracedMemo(startedUntraced()),
      // Playbooks outlive a continue-as-new of their case; they report back by signal.
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
    state.playbooks[workflowId] = 'running';
    (state.latest ??= {})[entry.meta.name] = { workflowId, run, handled: firstHandled(entry, alert, handledBefore) };
    return workflowId;
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    state.playbooks[workflowId] = 'done'; // it ran in an earlier life of this case
    log.info('playbook already ran for this case', { workflowId });
    return undefined;
  }
}

/**
 * What a run handles at its start, until it says what it handled: what earlier runs did, and the
 * indicators of its first round (the first MAX_INDICATORS new ones — the rest it hands back).
 */
function firstHandled(entry: PlaybookEntry, alert: NativeAlert, handledBefore: string[] = []): string[] {
  const keys = entry.meta.indicators(alert).map(indicatorKey);
  // The common case reads the same either way: no patch marker in every case's history.
  if ((handledBefore.length === 0 && new Set(keys).size <= MAX_INDICATORS) || !patched(LEFTOVERS_PATCH)) return keys.slice(0, HANDLED_KEPT);
  const before = new Set(handledBefore);
  const fresh = [...new Set(keys)].filter((k) => !before.has(k)).slice(0, MAX_INDICATORS);
  return [...handledBefore, ...fresh].slice(-HANDLED_KEPT);
}

/** Asks each run the case believes is running whether it still is: a signal to an ended run fails. */
async function probe(state: CaseState): Promise<void> {
  for (const [workflowId, status] of Object.entries(state.playbooks)) {
    if (status !== 'running') continue;
    try {
      await getExternalWorkflowHandle(workflowId).signal(playbookAlertsSignal, { alerts: [] });
    } catch {
      state.playbooks[workflowId] = 'done';
      log.info('playbook ended without telling its case', { workflowId });
    }
  }
}

function hasNewIndicators(entry: PlaybookEntry, alert: NativeAlert, handled: string[]): boolean {
  const known = new Set(handled);
  return entry.meta.indicators(alert).some((i) => !known.has(indicatorKey(i)));
}

/** A case from before runs were tracked per playbook: its one run, handled set unknown. */
function legacyRun(state: CaseState, entry: PlaybookEntry, caseId: string): { workflowId: string; run: number; handled: string[] } | undefined {
  const workflowId = playbookWorkflowId(entry.meta.name, caseId);
  return state.playbooks[workflowId] ? { workflowId, run: 1, handled: [] } : undefined;
}

/** Cases started before playbooks read their own settings passed the API's. */
function legacySettings(input: CaseInput): Record<string, string> {
  const { approvalTimeout, onApprovalTimeout } = input.settings;
  return { ...(approvalTimeout ? { approvalTimeout } : {}), ...(onApprovalTimeout ? { onApprovalTimeout } : {}) };
}
