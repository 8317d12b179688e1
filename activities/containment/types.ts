// Network containment: block egress from a host to remote addresses, and undo it.
// Types only — safe for workflows to import.

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
