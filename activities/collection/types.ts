// "Collect evidence from this host": memory, a triage package or a disk image, through whichever
// collector is configured. Types only — safe for workflows to import.
import type { EvidenceItem } from '../../core/case.ts';

export type CollectionKind = 'memory' | 'triage' | 'disk';

export interface CollectInput {
  kind: CollectionKind;
  /** The collector, as the run's context recorded it (elasticdefend, defender, imaging …). */
  provider: string;
  host: { hostname?: string; ip?: string };
  caseId: string;
  requestedBy: string;
  /** `${workflowId}:collect:<kind>:<host>`: a retried collection returns the evidence already taken. */
  idempotencyKey: string;
  /** For disk images over SSH: the device on the host (default /dev/sda). */
  device?: string;
}

export type CollectResult = { status: 'ok'; evidence: EvidenceItem } | { status: 'skipped'; reason: string };

/** A document (JSON) kept as evidence: an instance's metadata, a key's recent activity … */
export interface RecordDocumentInput {
  kind: 'instance-metadata';
  caseId: string;
  requestedBy: string;
  /** `${workflowId}:record:<what>`: a retry returns the record already written. */
  idempotencyKey: string;
  /** What it describes, e.g. the instance id. */
  source: string;
  /** How it was obtained, e.g. "awsDescribeInstance (EC2 DescribeInstances …)". */
  tool: string;
  document: unknown;
}
