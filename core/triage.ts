// How the triage learner (domain/triage.ts) judged an alert on arrival, and the case's triage:
// its highest-priority alert's. Pure types, shared by the store, the API and the console.

export interface TriageAssessment {
  /** 0–100: severity, false-positive likelihood, critical assets and novelty together. */
  priority: number;
  /** 0–1, from the verdicts of the same rule on the same entity, the same rule and the same source. */
  fpLikelihood: number;
  /** The verdicts behind it, in words. */
  fpBasis: string;
  /** Far above the normal rate of its rule or one of its entities for this hour of the week. */
  unusual: boolean;
  /** Its rule fires on one of its hosts, users or cloud resources for the first time. */
  novel: boolean;
  /** Its entities on the critical-asset list. */
  critical: string[];
  /** Why it ranks where it does, most weighty first. */
  reasons: string[];
  /** The auto-close threshold is on and this alert passes it (never when unusual, novel or critical). */
  autoClose?: boolean;
}

/** Who closes a case that auto-close took (RIPOSTE_TRIAGE_AUTO_CLOSE): its verdict's `by`. */
export const AUTO_CLOSE_ACTOR = 'auto-close';

/** A case's triage: its highest-priority alert's, and which alert that is. */
export type CaseTriage = TriageAssessment & { alertId: string };
