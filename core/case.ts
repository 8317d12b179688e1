// The case as analysts see it: status, findings, approvals, timeline. Pure types.
import type { EnrichmentOutcome, Assessment } from './verdict.ts';

export const CaseStatus = {
  running: 'running',
  awaitingApproval: 'awaiting_approval',
  contained: 'contained',
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
  status: 'pending' | 'approved' | 'rejected' | 'timed_out';
  decidedBy?: string;
  decidedAt?: string;
  comment?: string;
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
}

/** What one playbook run records: its findings, approvals, actions and timeline. */
export interface PlaybookView {
  caseId: string;
  playbook: string;
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
  timeline: TimelineEntry[];
  startedAt: string;
  closedAt?: string;
}
