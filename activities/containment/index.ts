// Containment by target kind. `containmentPlan` (a local activity: configuration only) checks
// targets against the never-contain list and names the driver for each kind and whether
// RIPOSTE_CONTAINMENT lets it act for real; `containmentApply` acts through that driver and
// returns what its undo needs; `containmentUndo` reverses it. Every driver reads state first, so
// a retried action acts once. The version-1 egress activities stay for runs that still use them.
import { isIP } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import type { ContainmentProvider } from '../playbook/types.ts';
import { ErrorType } from '../shared/errors.ts';
import type { NeverContain } from './never-contain.ts';
import type {
  ApplyInput,
  ApplyResult,
  BlockEgressInput,
  BlockEgressResult,
  ContainRequest,
  EgressBlocker,
  PlanInput,
  PlannedAction,
  PlanResult,
  UnblockEgressInput,
  UnblockEgressResult,
  UndoInput,
  UndoResult,
} from './types.ts';
import type { TargetKind } from '../../core/case.ts';
import { info } from './info.ts';

export { info };

type Vendor = { status: string; reason?: string } & Record<string, unknown>;
type Act = (input: Record<string, unknown>) => Promise<Vendor>;

/** The drivers behind each operation, as the worker registered them (absent ones cannot act). */
export interface ContainmentDrivers {
  egress?: EgressBlocker;
  /** EDR host isolation and its release, by driver name (crowdstrike, defender, sentinelone). */
  edr: Record<string, { isolate: Act; release: Act } | undefined>;
  /** AWS operations by name (awsIsolateInstance …), when the integration is present. */
  aws: Partial<Record<string, Act>>;
}

export interface ContainmentDeps {
  drivers: ContainmentDrivers;
  /** Who acts for each target kind (read from configuration; the same the run's context records). */
  providers: () => Record<TargetKind, ContainmentProvider>;
  neverContain: NeverContain;
}

/** What each AWS operation calls, and the call that undoes it. */
const AWS_OPS: Record<string, { call: string; undo?: string; input: (p: Record<string, unknown>, a: ApplyInput) => Record<string, unknown> }> = {
  'protect-instance': { call: 'awsEnableTerminationProtection', undo: 'restore-termination-protection', input: (p) => ({ instanceId: p.instanceId }) },
  'tag-instance': { call: 'awsTagInstance', undo: 'untag-instance', input: (p, a) => ({ instanceId: p.instanceId, tags: { 'riposte:case': a.caseId, ...(p.tags as Record<string, string> | undefined) } }) },
  'detach-asg': { call: 'awsDetachFromAutoScaling', undo: 'attach-asg', input: (p) => ({ instanceId: p.instanceId }) },
  'deregister-targets': { call: 'awsDeregisterFromTargetGroups', undo: 'register-targets', input: (p) => ({ instanceId: p.instanceId }) },
  'isolate-instance': { call: 'awsIsolateInstance', undo: 'restore-security-groups', input: (p, a) => ({ instanceId: p.instanceId, caseId: a.caseId, idempotencyKey: a.idempotencyKey }) },
  'deactivate-key': { call: 'awsDeactivateAccessKey', undo: 'reactivate-key', input: (p) => ({ accessKeyId: p.accessKeyId, ...(p.userName ? { userName: p.userName } : {}) }) },
  'revoke-sessions': {
    call: 'awsRevokeRoleSessions',
    undo: 'remove-session-revocation',
    input: (p, a) => ({ roleName: p.roleName, issuedBefore: p.issuedBefore, caseId: a.caseId, ...(a.actionId ? { actionId: a.actionId } : {}) }),
  },
};

/** The AWS call that undoes each operation, built from what the action returned. */
const AWS_UNDO: Record<string, string> = {
  'restore-termination-protection': 'awsRestoreTerminationProtection',
  'untag-instance': 'awsUntagInstance',
  'attach-asg': 'awsAttachToAutoScaling',
  'register-targets': 'awsRegisterWithTargetGroups',
  'restore-security-groups': 'awsRestoreSecurityGroups',
  'reactivate-key': 'awsReactivateAccessKey',
  'remove-session-revocation': 'awsRemoveRoleSessionRevocation',
};

export function createContainmentActivities(deps: ContainmentDeps) {
  const { drivers } = deps;

  /** The action as this worker would take it now, or why it will not. */
  async function recheck(a: PlannedAction): Promise<{ action: PlannedAction } | { refused: string }> {
    const provider = deps.providers()[a.kind];
    if (provider.driver !== a.driver || !provider.live) {
      return { refused: provider.driver === a.driver ? `${a.driver} may no longer act (not in RIPOSTE_CONTAINMENT)` : `the ${a.driver} driver no longer answers for ${a.kind} here (now: ${provider.driver})` };
    }
    const refused: PlanResult['refused'] = [];
    let now = screen(a, deps.neverContain, refused);
    if (!now) return { refused: `on the never-contain list: ${refused.map((r) => r.reason).join('; ')}` };
    // A key named without its user: the owner is checked against the list before the key is touched.
    if (now.op === 'deactivate-key' && !now.params.userName) {
      const owner = drivers.aws.awsAccessKeyOwner;
      if (!owner) throw unavailable(a.driver, a.op);
      const r = vendorOk('aws', await owner({ accessKeyId: now.params.accessKeyId }));
      const userName = String(r.userName);
      const why = deps.neverContain.match(userName);
      if (why) return { refused: `the key's owner ${userName} is on the never-contain list: ${why}` };
      now = { ...now, params: { ...now.params, userName } };
    }
    const action = { ...a, ...now } as PlannedAction;
    if (refused.length > 0) action.description = `${describe(action)} (${refused.map((r) => `${r.target}: ${r.reason}`).join('; ')} left out)`;
    return { action };
  }

  return {
    /** Never-contain check and driver choice; configuration only (a local activity). */
    async containmentPlan(input: PlanInput): Promise<PlanResult> {
      const providers = input.providers ?? deps.providers();
      const allowed: PlannedAction[] = [];
      const refused: PlanResult['refused'] = [];
      for (const request of input.requests) {
        const checked = screen(request, deps.neverContain, refused);
        if (!checked) continue;
        const provider = providers[checked.kind];
        allowed.push({ ...checked, driver: provider.driver, live: provider.live, description: describe(checked) } as PlannedAction);
      }
      return { allowed, refused };
    },

    async containmentApply(input: ApplyInput): Promise<ApplyResult> {
      if (!input.action.live) throw invalid(`${input.action.op} on ${input.action.target} is simulated (${input.action.driver} may not act); nothing to apply`);
      // The worker that acts decides, at the moment it acts: the plan was made on another worker,
      // perhaps an hour ago, before the approval.
      const checked = await recheck(input.action);
      if ('refused' in checked) return { driver: input.action.driver, description: `did not ${describe(input.action)}`, alreadyInState: false, refused: checked.refused };
      const a = checked.action;
      if (a.op === 'block-egress') {
        if (!drivers.egress || drivers.egress.name !== a.driver) throw unavailable(a.driver, a.op);
        const r = await blockEgress(drivers.egress, { idempotencyKey: input.idempotencyKey, caseId: input.caseId, hostIp: a.params.from, addresses: a.params.to });
        return { driver: r.driver, description: r.actions.join('; '), alreadyInState: r.alreadyPresent === a.params.to.length, undo: { op: 'unblock-egress', input: { idempotencyKey: input.idempotencyKey } } };
      }
      if (a.op === 'isolate-host') {
        const edr = drivers.edr[a.driver];
        if (!edr) throw unavailable(a.driver, a.op);
        const r = vendorOk(a.driver, await edr.isolate(edrInput(a.driver, a.params, input.reason)));
        const id = (r.deviceId ?? r.machineId ?? r.agentId) as string | undefined;
        return {
          driver: a.driver,
          description: `isolated ${a.target} from the network (${a.driver}${id ? ` ${id}` : ''})`,
          alreadyInState: Boolean(r.alreadyInState),
          undo: { op: 'release-host', input: id ? edrIdInput(a.driver, id) : edrInput(a.driver, a.params, '') },
        };
      }
      const op = AWS_OPS[a.op];
      const call = op && drivers.aws[op.call];
      if (a.driver !== 'aws' || !op || !call) throw unavailable(a.driver, a.op);
      const r = vendorOk('aws', await call(op.input(a.params as Record<string, unknown>, input)));
      return {
        driver: 'aws',
        description: `${describe(a)}${r.changed === false || r.alreadyIsolated === true ? ' (already so)' : ''}`,
        alreadyInState: r.changed === false || r.alreadyIsolated === true,
        ...(op.undo ? { undo: { op: op.undo, input: awsUndoInput(a.op, a.params as Record<string, unknown>, r) } } : {}),
      };
    },

    async containmentUndo(input: UndoInput): Promise<UndoResult> {
      const { op, input: args } = input.undo;
      if (op === 'unblock-egress') {
        if (!drivers.egress) throw unavailable(input.driver, op);
        const r = await drivers.egress.unblock({ idempotencyKey: String(args.idempotencyKey) });
        return { driver: r.driver, description: `removed ${r.removed} egress block rule${r.removed === 1 ? '' : 's'}` };
      }
      if (op === 'release-host') {
        const edr = drivers.edr[input.driver];
        if (!edr) throw unavailable(input.driver, op);
        const r = vendorOk(input.driver, await edr.release({ ...args, reason: input.reason, comment: input.reason }));
        return { driver: input.driver, description: `released from network isolation${r.alreadyInState ? ' (it already was)' : ''}` };
      }
      const call = AWS_UNDO[op] ? drivers.aws[AWS_UNDO[op] as string] : undefined;
      if (!call) throw unavailable(input.driver, op);
      vendorOk('aws', await call(args));
      return { driver: 'aws', description: UNDONE[op] ?? op };
    },

    // ---- Version 1: egress only ---------------------------------------------------------------
    async containmentBlockEgress(input: BlockEgressInput): Promise<BlockEgressResult> {
      if (!drivers.egress) throw unavailable('log-only', 'block-egress');
      // Version 1 planned nothing: the never-contain list is checked here, when it acts.
      const protectedOnes = (input.addresses ?? []).filter((a) => deps.neverContain.match(a) || (input.hostIp !== undefined && deps.neverContain.match(input.hostIp)));
      const addresses = (input.addresses ?? []).filter((a) => !protectedOnes.includes(a));
      if (addresses.length === 0 && protectedOnes.length > 0) throw invalid(`refused: ${protectedOnes.join(', ')} ${protectedOnes.length > 1 ? 'are' : 'is'} on the never-contain list`);
      return blockEgress(drivers.egress, { ...input, addresses });
    },
    async containmentUnblockEgress(input: UnblockEgressInput): Promise<UnblockEgressResult> {
      if (!drivers.egress) throw unavailable('log-only', 'unblock-egress');
      return drivers.egress.unblock(input);
    },
  };
}

const UNDONE: Record<string, string> = {
  'restore-termination-protection': 'termination protection restored to what it was',
  'untag-instance': 'the case tags removed',
  'attach-asg': 'attached back to its Auto Scaling group',
  'register-targets': 'registered back with its target groups',
  'restore-security-groups': 'original security groups restored',
  'reactivate-key': 'access key active again',
  'remove-session-revocation': 'session revocation policy removed',
};

async function blockEgress(egress: EgressBlocker, input: BlockEgressInput): Promise<BlockEgressResult> {
  const bad = input.addresses.find((a) => isIP(a) === 0);
  if (bad !== undefined || input.addresses.length === 0) {
    throw ApplicationFailure.nonRetryable(bad !== undefined ? `not an IP address: ${JSON.stringify(bad).slice(0, 60)}` : 'no addresses to block', ErrorType.invalidInput);
  }
  return egress.block({ ...input, addresses: [...new Set(input.addresses)] });
}

/** Drops what the never-contain list protects; returns what is left of the request, if anything. */
function screen(r: ContainRequest, never: NeverContain, refused: PlanResult['refused']): ContainRequest | undefined {
  const refuse = (target: string, reason: string) => void refused.push({ target, op: r.op, reason });
  switch (r.kind) {
    case 'egress': {
      const to = r.params.to.filter((addr) => {
        const why = never.match(addr);
        if (why) refuse(addr, why);
        return !why;
      });
      return to.length ? { ...r, params: { ...r.params, to }, target: r.params.from ? `${r.params.from} → ${to.join(', ')}` : to.join(', ') } : undefined;
    }
    case 'host': {
      const why = never.match(r.params.hostname) ?? never.match(r.params.ip);
      return why ? refuse(r.target, why) : r;
    }
    case 'cloud_instance': {
      const why = never.match(r.params.instanceId);
      return why ? refuse(r.target, why) : r;
    }
    case 'cloud_credential': {
      const why = r.op === 'deactivate-key' ? (never.match(r.params.accessKeyId) ?? never.match(r.params.userName)) : never.match(r.params.roleName);
      return why ? refuse(r.target, why) : r;
    }
  }
}

/** What an action does, in words. */
export function describe(r: ContainRequest): string {
  switch (r.op) {
    case 'block-egress':
      return `block egress${r.params.from ? ` from ${r.params.from}` : ''} to ${r.params.to.join(', ')}`;
    case 'isolate-host':
      return `isolate host ${r.params.hostname ?? r.params.ip} from the network`;
    case 'protect-instance':
      return `enable termination protection on ${r.params.instanceId}`;
    case 'tag-instance':
      return `tag ${r.params.instanceId} with the case`;
    case 'detach-asg':
      return `detach ${r.params.instanceId} from its Auto Scaling group`;
    case 'deregister-targets':
      return `deregister ${r.params.instanceId} from its load-balancer target groups`;
    case 'isolate-instance':
      return `isolate ${r.params.instanceId} (security groups: all-traffic, then no rules — existing sessions cut)`;
    case 'deactivate-key':
      return `deactivate access key ${r.params.accessKeyId}${r.params.userName ? ` of ${r.params.userName}` : ''}`;
    case 'revoke-sessions':
      return `revoke sessions of role ${r.params.roleName} issued before ${r.params.issuedBefore}`;
  }
}

function edrInput(driver: string, p: { hostname?: string; ip?: string }, reason: string): Record<string, unknown> {
  const name = p.hostname ?? p.ip;
  if (driver === 'defender') return { computerDnsName: name, comment: reason };
  if (driver === 'sentinelone') return { computerName: name, reason };
  return { hostname: name, reason };
}

function edrIdInput(driver: string, id: string): Record<string, unknown> {
  if (driver === 'defender') return { machineId: id };
  if (driver === 'sentinelone') return { agentId: id };
  return { deviceId: id };
}

/** What each AWS undo needs, from the request and the action's answer. */
function awsUndoInput(op: string, p: Record<string, unknown>, r: Vendor): Record<string, unknown> {
  switch (op) {
    case 'protect-instance':
      return { instanceId: p.instanceId, previous: r.previous };
    case 'tag-instance':
      return { instanceId: p.instanceId, tags: r.tags };
    case 'detach-asg':
      return { instanceId: p.instanceId, group: r.group };
    case 'deregister-targets':
      return { instanceId: p.instanceId, targets: r.targets };
    case 'isolate-instance':
      return { instanceId: p.instanceId, previousGroups: r.previousGroups };
    case 'deactivate-key':
      return { accessKeyId: p.accessKeyId, userName: r.userName ?? p.userName };
    case 'revoke-sessions':
      return { roleName: p.roleName, policyName: r.policyName };
    default:
      return {};
  }
}

function vendorOk(driver: string, r: Vendor): Vendor {
  if (r.status === 'skipped') throw ApplicationFailure.nonRetryable(`${driver}: not configured (${r.reason ?? 'skipped'})`, ErrorType.request);
  return r;
}

function unavailable(driver: string, op: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`containment: the ${driver} driver cannot ${op} here (not configured on this worker)`, ErrorType.request);
}

function invalid(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`containment: ${message}`, ErrorType.invalidInput);
}
