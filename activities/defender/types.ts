// Microsoft Defender for Endpoint: isolation and indicators. Types only — safe for workflows.

export interface IsolateInput {
  /** The Defender machine id, or a computer DNS name to look up. */
  machineId?: string;
  computerDnsName?: string;
  /** Shown in Defender's action center. */
  comment: string;
  /** Full (default) or Selective (Outlook, Teams, Skype keep working). */
  isolationType?: 'Full' | 'Selective';
}

export interface MachineActionResult {
  status: 'ok' | 'skipped';
  vendor: 'defender';
  machineId?: string;
  /** Defender's machine action id (look it up in the action center). */
  actionId?: string;
  action?: 'Isolate' | 'Unisolate';
  /** True when an equivalent action was already pending or done: nothing new was sent. */
  alreadyInState?: boolean;
  reason?: string;
}

export interface BlockIndicatorInput {
  type: 'ip' | 'domain' | 'url' | 'hash';
  value: string;
  title: string;
  description: string;
  /** Days until Defender drops it (default 30). */
  expiresInDays?: number;
}

export interface IndicatorResult {
  status: 'ok' | 'skipped';
  vendor: 'defender';
  indicatorId?: string;
  reason?: string;
}
