// CrowdStrike Falcon host containment: inputs and results. Types only — safe for workflows.

export interface ContainHostInput {
  /** The Falcon agent id (aid), or a hostname to look up. */
  hostname?: string;
  deviceId?: string;
  /** Why: kept in Riposte's record (Falcon's device action has no comment field). */
  reason: string;
}

export interface ContainmentResult {
  status: 'ok' | 'skipped';
  vendor: 'crowdstrike';
  deviceId?: string;
  action?: 'contain' | 'lift_containment';
  /** True when the host was already in the asked state: nothing was sent. */
  alreadyInState?: boolean;
  /** Falcon's containment state after the call (e.g. containment_pending). */
  state?: string;
  reason?: string;
}
