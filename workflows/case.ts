// Runs in the Temporal sandbox: no I/O, no Node APIs, no environment access.
//
// One case: a long-lived workflow that receives its alerts in batches (alertsSignal), routes
// them to playbooks (child workflows, each started at most once per case), and ends once it has
// been idle — no new alert, no running playbook — for the idle timeout. It continues as new
// before its history grows large, carrying its state.
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  ParentClosePolicy,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import {
  alertsSignal,
  caseStateQuery,
  playbookFinishedSignal,
  playbookWorkflowId,
  type CaseAlertItem,
  type CaseInput,
  type CaseState,
  type Playbook,
} from './definitions.ts';
import { suspectedC2Playbook } from './playbooks/suspected-c2.ts';
import { routesFor } from './routing.ts';

/** Continue as new well before Temporal's suggested 4,096 events (and its 10,000-signal cap). */
export const HISTORY_BUDGET = 2000;

const PLAYBOOK_WORKFLOWS = { 'suspected-c2': suspectedC2Playbook } as const satisfies Record<Playbook, unknown>;

export async function caseWorkflow(input: CaseInput): Promise<CaseState> {
  const state: CaseState = input.carried ?? { lastSeq: 0, alerts: 0, resolved: 0, playbooks: {}, runs: 0 };
  state.runs += 1;
  const inbox: CaseAlertItem[] = [];
  setHandler(alertsSignal, ({ items }) => void inbox.push(...items));
  setHandler(playbookFinishedSignal, ({ workflowId }) => {
    if (state.playbooks[workflowId]) state.playbooks[workflowId] = 'done';
  });
  setHandler(caseStateQuery, () => state);

  const running = () => Object.values(state.playbooks).includes('running');
  for (;;) {
    const woke = await condition(() => inbox.length > 0, input.settings.idleTimeout);
    if (inbox.length > 0) {
      await handle(input, state, inbox.splice(0).sort((a, b) => a.seq - b.seq));
    } else if (!woke && !running()) {
      break; // idle, and nothing running: the case is over
    }
    if (workflowInfo().historyLength > (input.historyBudget ?? HISTORY_BUDGET) || workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      if (inbox.length === 0) await continueAsNew<typeof caseWorkflow>({ ...input, carried: state });
    }
  }
  await condition(allHandlersFinished);
  return state;
}

async function handle(input: CaseInput, state: CaseState, items: CaseAlertItem[]): Promise<void> {
  for (const item of items) {
    if (item.seq <= state.lastSeq) continue; // delivered twice (the dispatcher is at-least-once)
    state.lastSeq = item.seq;
    if (item.kind === 'resolved') {
      state.resolved += 1;
      continue;
    }
    state.alerts += 1;
    if (!item.alert) continue; // no route can start a playbook for it
    for (const playbook of routesFor(item.alert)) {
      const workflowId = playbookWorkflowId(playbook, input.caseId);
      if (state.playbooks[workflowId]) continue;
      try {
        await startChild(PLAYBOOK_WORKFLOWS[playbook], {
          workflowId,
          args: [{ caseId: input.caseId, alert: item.alert, settings: input.settings }],
          // Playbooks outlive a continue-as-new of their case; they report back by signal.
          parentClosePolicy: ParentClosePolicy.ABANDON,
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
        });
        state.playbooks[workflowId] = 'running';
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        state.playbooks[workflowId] = 'done'; // it ran in an earlier life of this case
        log.info('playbook already ran for this case', { workflowId });
      }
    }
  }
}
