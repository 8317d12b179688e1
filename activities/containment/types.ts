// Network containment: block egress from a host to remote addresses, and undo it.
// Types only — safe for workflows to import.
import type { TargetKind } from '../../core/case.ts';
import type { ContainmentProvider } from '../playbook/types.ts';

export interface BlockEgressInput {
  /** Same key, same rules: a retried activity never adds a rule twice. */
  idempotencyKey: string;
  caseId: string;
  /** The internal host, when its address is known; rules then match only its traffic. */
  hostIp?: string;
  /** Remote addresses (IPv4 or IPv6) to block. */
  addresses: string[];
}

export interface BlockEgressResult {
  driver: string;
  /** One line per address saying what was done. */
  actions: string[];
  /** Ids the driver needs to undo it. */
  refs: string[];
  /** Rules that were already in place (a retry after the work was done). */
  alreadyPresent: number;
}

export interface UnblockEgressInput {
  idempotencyKey: string;
}

export interface UnblockEgressResult {
  driver: string;
  removed: number;
}

/** What a containment driver implements (nftables, log-only, and later EDR isolation). */
export interface EgressBlocker {
  readonly name: string;
  block(input: BlockEgressInput): Promise<BlockEgressResult>;
  unblock(input: UnblockEgressInput): Promise<UnblockEgressResult>;
}

// ---- Containment by target kind (the contain block) ---------------------------------------

/**
 * One containment a playbook asks for, by what it acts on; the configured driver for its kind
 * carries it out. `op` names the operation; each has its undo (see UNDO_OF in index.ts).
 */
export type ContainRequest =
  | { kind: 'egress'; op: 'block-egress'; target: string; params: { from?: string; to: string[] } }
  | { kind: 'host'; op: 'isolate-host'; target: string; params: { hostname?: string; ip?: string } }
  | {
      kind: 'cloud_instance';
      op: 'protect-instance' | 'tag-instance' | 'detach-asg' | 'deregister-targets' | 'isolate-instance';
      target: string;
      params: { instanceId: string; tags?: Record<string, string> };
    }
  | { kind: 'cloud_credential'; op: 'deactivate-key'; target: string; params: { accessKeyId: string; userName?: string } }
  | { kind: 'cloud_credential'; op: 'revoke-sessions'; target: string; params: { roleName: string; issuedBefore: string } };

export type ContainOp = ContainRequest['op'];

/** A request with the driver that will act, whether it may act for real, and what it will do. */
export type PlannedAction = ContainRequest & { driver: string; live: boolean; description: string };

export interface PlanInput {
  requests: ContainRequest[];
  /** Who acts for each kind, as the run's context recorded it (default: this worker's configuration). */
  providers?: Record<TargetKind, ContainmentProvider>;
}

export interface PlanResult {
  allowed: PlannedAction[];
  /** Requests (or the addresses of one) on the never-contain list, and why. */
  refused: Array<{ target: string; op: ContainOp; reason: string }>;
}

export interface ApplyInput {
  action: PlannedAction;
  caseId: string;
  /** `${workflowId}:contain:<actionId>`: a retried action acts once. */
  idempotencyKey: string;
  /** The action's id in the case (a revocation policy is named after it). */
  actionId?: string;
  /** Who approved, for the vendor's comment field where it has one. */
  reason: string;
}

export interface ApplyResult {
  driver: string;
  /** What was done, in words. */
  description: string;
  /** True when it was already so (a retry, or someone did it by hand). */
  alreadyInState: boolean;
  /** What reversing it needs; absent when there is nothing to undo. */
  undo?: { op: string; input: Record<string, unknown> };
  /**
   * Set when the worker that acts would not, and nothing was changed: since the plan, the target
   * joined the never-contain list, or the driver may no longer act (RIPOSTE_CONTAINMENT).
   */
  refused?: string;
}

export interface UndoInput {
  driver: string;
  undo: { op: string; input: Record<string, unknown> };
  caseId: string;
  idempotencyKey: string;
  reason: string;
}

export interface UndoResult {
  driver: string;
  description: string;
}
