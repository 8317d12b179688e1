// What a playbook run reads once, when it starts: its settings and which providers answer each
// capability. Recorded in the run's history, so a replay decides exactly as the run did.
// Types only — safe for workflows to import.
import type { TargetKind } from '../../core/case.ts';

/** How a setting's text is checked. */
export type SettingKind = 'duration' | 'enum' | 'number' | 'list' | 'text';

export interface SettingDeclaration {
  default: string;
  kind: SettingKind;
  choices?: readonly string[];
  /** Older variables read when the playbook's own is unset (e.g. RIPOSTE_APPROVAL_TIMEOUT). */
  fallbackEnv?: readonly string[];
}

export interface ReadContextInput {
  playbook: string;
  settings: Record<string, SettingDeclaration>;
  /** This run's overrides (tests, dry runs), checked like the rest. */
  overrides?: Record<string, string>;
}

/** Who acts for each kind of containment, and whether they may act for real. */
export interface ContainmentProvider {
  driver: string;
  /** False: the driver is not in RIPOSTE_CONTAINMENT, so the action is recorded as simulated. */
  live: boolean;
}

export interface Providers {
  /** Reputation sources per observable type, in the order they are asked. */
  enrich: { ip: string[]; domain: string[]; url: string[]; hash: string[] };
  /** The first-seen store answers for domains. */
  firstSeen: boolean;
  hunt: string[];
  /** Evidence collectors, in order of volatility: memory, then triage packages, then disks. */
  collect: { memory: string[]; triage: string[]; disk: string[] };
  contain: Record<TargetKind, ContainmentProvider>;
  /** Channels told about approvals and outcomes (slack, teams, email). */
  notify: string[];
  /** Who is paged when an approval times out (pagerduty). */
  page: string[];
  ticket: string | null;
}

export interface PlaybookContext {
  settings: Record<string, string>;
  providers: Providers;
  /** Per capability ("enrich.hash", "hunt", "collect.memory", "contain.host", "notify" …): the variables that would enable it. */
  unconfigured: Record<string, string[]>;
  /** Read on the main worker of a split deployment: collection and containment are the privileged worker's to say. */
  split?: boolean;
  /** Which approvals need two people (absent in runs from before four-eyes: one). */
  approvalPolicy?: ApprovalPolicy;
}

export interface ApprovalPolicy {
  /** Approval ids that always need two distinct people (RIPOSTE_TWO_PERSON_APPROVALS; `*`: all). */
  twoPerson: string[];
  /** Hosts, addresses (IPv4 CIDRs), instances, keys whose containment needs two (RIPOSTE_CRITICAL_ASSETS). */
  criticalAssets: string[];
}

/** What the privileged worker says about the capabilities it answers for. */
export interface PrivilegedProviders {
  collect: Providers['collect'];
  contain: Providers['contain'];
  unconfigured: Record<string, string[]>;
}

