// The case as analysts see it: status, findings, approvals, timeline. Pure types.
import type { EnrichmentOutcome, Assessment } from './verdict.ts';
import type { CaseTriage } from './triage.ts';

export const CaseStatus = {
  running: 'running',
  awaitingApproval: 'awaiting_approval',
  contained: 'contained',
  /** Reopened by an analyst after its response ended. */
  open: 'open',
  closed: 'closed',
  failed: 'failed',
} as const;
export type CaseStatus = (typeof CaseStatus)[keyof typeof CaseStatus];

export const ApprovalDecision = { approve: 'approve', reject: 'reject' } as const;
export type ApprovalDecision = (typeof ApprovalDecision)[keyof typeof ApprovalDecision];

export interface Approval {
  id: string;
  /** What will happen if approved, in words. */
  action: string;
  reason: string;
  requestedAt: string;
  /** When the gate gives up and follows the playbook's default. */
  expiresAt: string;
  /** `withdrawn`: its run ended (terminated in Temporal, say) before anyone decided. */
  status: 'pending' | 'approved' | 'rejected' | 'timed_out' | 'withdrawn';
  decidedBy?: string;
  decidedAt?: string;
  comment?: string;
  /** What approving would act on, each with the driver that would act (or "simulated"). */
  targets?: string[];
  /** Channels that were told (slack, teams, email). */
  notified?: string[];
  /** How many distinct people must approve (two: four-eyes); absent means one. */
  required?: number;
  /** Why two: the approval is on RIPOSTE_TWO_PERSON_APPROVALS, or it touches critical assets. */
  requiredWhy?: string;
  /** Each approval given so far, in order (the last one settles it). */
  approvedBy?: Array<{ by: string; at: string; comment?: string }>;
  /** The person who started the run that asks: they may reject it, never approve it. */
  requestedBy?: string;
}

export interface TimelineEntry {
  at: string;
  /** The playbook step: enrich, verdict, ticket, approval, contain, escalate, report … */
  step: string;
  message: string;
  actor?: string;
}

export interface TicketRef {
  system: string;
  /** What people call it: SEC-42, INC0010023, ~40964208. */
  key: string;
  url?: string;
  /** The system's own id when it differs from the key (ServiceNow sys_id, TheHive _id). */
  id?: string;
}

export interface ContainmentRecord {
  driver: string;
  action: string;
  targets: string[];
  at: string;
  /** Ids the driver needs to undo it (rule handles, comment tags). */
  refs: string[];
  /** True when nothing was changed: the driver was log-only (or this was a dry run). */
  simulated?: boolean;
}

/** What a containment action can act on. */
export const TargetKind = {
  /** Outbound traffic from a host (or from everywhere) to remote addresses. */
  egress: 'egress',
  /** A host, isolated from the network by its EDR. */
  host: 'host',
  /** A cloud instance (EC2): termination protection, membership, security groups. */
  cloudInstance: 'cloud_instance',
  /** A cloud credential: an access key, or an assumed role's sessions. */
  cloudCredential: 'cloud_credential',
} as const;
export type TargetKind = (typeof TargetKind)[keyof typeof TargetKind];

/** The operations that contain (the others preserve, tag, take out of service …). */
export const CONTAINING_OP_NAMES: ReadonlySet<string> = new Set(['block-egress', 'isolate-host', 'isolate-instance', 'deactivate-key', 'revoke-sessions']);

/** One side effect a playbook took (or would have taken), with what undoing it needs. */
export interface ActionRecord {
  /** Stable within the case, e.g. "contain-egress-1"; the undo URL names it. */
  id: string;
  kind: TargetKind;
  /** The operation, e.g. "block-egress", "isolate-host", "deactivate-key". */
  op: string;
  /** What was done, in words ("blocked egress from 10.0.0.5 to 203.0.113.7"). */
  description: string;
  /** What it acted on: an address, a host, an instance id, a key id. */
  target: string;
  driver: string;
  /** True when nothing changed: the driver is not allowed to act for real (log-only) or a dry run. */
  simulated: boolean;
  at: string;
  approvalId?: string;
  approvedBy?: string;
  /** The operation and what the driver needs to reverse it; absent when there is nothing to undo. */
  undo?: { op: string; input: Record<string, unknown> };
  status: 'applied' | 'undoing' | 'undone' | 'undo_failed';
  undone?: { at: string; by: string; description: string };
}

/** How an entity came to be part of the case. */
export interface ScopeItem {
  type: 'host' | 'user' | 'cloud_resource' | 'credential';
  /** A hostname, an address, an instance id, a key id. */
  value: string;
  /** The host's address, when it is known beside its name. */
  ip?: string;
  joinedBy: 'alert' | 'hunt' | 'analyst';
  reason: string;
  at: string;
}

/** A piece of evidence the case holds, with its chain-of-custody record. */
export interface EvidenceItem {
  evidenceId: string;
  kind: 'memory-dump' | 'disk-image' | 'investigation-package' | 'file' | 'ebs-snapshot' | 'instance-metadata';
  /** The host, endpoint or resource it came from. */
  source: string;
  /** Where the artifact is: file:// in the evidence directory, or a cloud ARN. */
  uri: string;
  sha256?: string;
  bytes?: number;
  tool: string;
  at: string;
  /** The full custody record as the collector wrote it. */
  custody: Record<string, unknown>;
}

/** One place a hunted indicator was seen. */
export interface Sighting {
  indicator: { type: string; value: string };
  at: string;
  host?: string;
  backend: string;
  where: string;
  excerpt: string;
}

/** A step a playbook could not take because nothing is configured for it. */
export interface SkippedStep {
  step: string;
  reason: string;
  /** The environment variables that would enable it. */
  enableWith: string[];
}

/** What one playbook run records: its findings, approvals, actions and timeline. */
export interface PlaybookView {
  caseId: string;
  playbook: string;
  /** The playbook's version (its `definePlaybook` version); absent for runs before versions. */
  version?: number;
  /** 1 for the first run of a playbook in a case, 2 for the next … */
  run?: number;
  status: CaseStatus;
  alertIds: string[];
  title: string;
  severity_id: number;
  host: { hostname?: string; ip?: string };
  remote: { ips: string[]; domains: string[] };
  enrichment: EnrichmentOutcome[];
  assessment?: Assessment;
  ticket: TicketRef | null;
  approvals: Approval[];
  containment: ContainmentRecord | null;
  timeline: TimelineEntry[];
  startedAt: string;
  closedAt?: string;
  /** Hosts, users and resources in the case, and how each joined. */
  scope?: ScopeItem[];
  /** The indicators this run handled (the case starts a new run only for others). */
  indicators?: Array<{ type: string; value: string }>;
  sightings?: Sighting[];
  evidence?: EvidenceItem[];
  actions?: ActionRecord[];
  skipped?: SkippedStep[];
  /** Set on a dry run: nothing was changed, no case exists. */
  dryRun?: boolean;
  /** The closing report, once the run has ended. */
  report?: string;
}

export interface CaseVerdict {
  verdict: 'true_positive' | 'false_positive' | 'benign';
  by: string;
  at: string;
  comment?: string;
}

export interface CaseAlertSummary {
  id: string;
  source: string;
  title: string;
  severity_id: number;
  time: string;
  count: number;
  receivedAt: string;
  status?: 'firing' | 'resolved';
}

export interface PlaybookSummary {
  workflowId: string;
  playbook: string;
  status: CaseStatus;
}

/** What the alert store keeps about a case. */
export interface CaseRecord {
  title: string;
  severity_id: number;
  createdAt: string;
  lastAlertAt: string;
  alertCount: number;
  entities: string[];
  verdict?: CaseVerdict;
}

/**
 * A case as the API shows it: the case itself (from the alert store) and what its playbooks
 * found and did (from their workflows). With one playbook, the playbook fields are its own.
 */
export interface CaseView extends CaseRecord {
  caseId: string;
  status: CaseStatus;
  /** Triage priority, 0–100 (0: none of its alerts was triaged). */
  priority: number;
  triage?: CaseTriage;
  alerts: CaseAlertSummary[];
  playbooks: PlaybookSummary[];
  alertIds: string[];
  host: { hostname?: string; ip?: string };
  remote: { ips: string[]; domains: string[] };
  enrichment: EnrichmentOutcome[];
  assessment?: Assessment;
  ticket: TicketRef | null;
  approvals: Array<Approval & { workflowId: string }>;
  pendingApprovals: Array<Approval & { workflowId: string }>;
  containment: ContainmentRecord | null;
  /** Hosts, users and resources in the case, and how each joined. */
  scope: ScopeItem[];
  indicators: Array<{ type: string; value: string }>;
  sightings: Sighting[];
  evidence: EvidenceItem[];
  /** Every action the case's playbooks took (or simulated), with its undo state. */
  actions: Array<ActionRecord & { workflowId: string }>;
  skipped: SkippedStep[];
  timeline: TimelineEntry[];
  startedAt: string;
  closedAt?: string;
  /** Who has the case. */
  assignee?: string;
  tags: string[];
  comments: Array<{ at: string; by: string; text: string }>;
  /** Set while an analyst has the case closed: why, by whom, when. */
  resolution?: { at: string; by: string; text: string };
  /** When a person first acted on the case. */
  acknowledgedAt?: string;
  /** Time to detect, acknowledge, contain and resolve, in milliseconds (docs/metrics.md). */
  timings: { detectMs?: number; acknowledgeMs?: number; containMs?: number; resolveMs?: number };
  /** Service levels: when it is due to be acknowledged and contained, and what was missed. */
  sla: { acknowledgeBy?: string; containBy?: string; breached: Array<'acknowledge' | 'contain'> };
}
