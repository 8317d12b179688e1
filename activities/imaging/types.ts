// Forensic imaging: inputs and the chain-of-custody record. Types only — safe for workflows.

export interface AcquireDiskInput {
  /** The device or file to image, e.g. /dev/sdb or /dev/loop3: on this worker's host, or on `host` over SSH. */
  device: string;
  /** Image a remote host over SSH (its key pinned in RIPOSTE_SSH_KNOWN_HOSTS); absent, the worker's own host. */
  host?: string;
  /** dc3dd (default) or dcfldd; both hash with SHA-256 as they copy. */
  tool?: 'dc3dd' | 'dcfldd';
  caseId: string;
  /** Who or what asked: the playbook's workflow id, and the approver when there was one. */
  requestedBy: string;
  /** From the workflow (`${workflowId}:${step}`): a retried acquisition returns the evidence already taken. */
  idempotencyKey: string;
}

export type { EvidenceRecord } from '../shared/evidence.ts';

export interface VerifyEvidenceInput { uri: string; sha256: string }
export interface VerifyEvidenceResult { uri: string; intact: boolean; sha256: string; bytes: number }
