// The chain of custody every acquisition shares: where an artifact goes, its record beside it,
// and the append-only ledger <evidence dir>/custody.jsonl. Large artifacts never travel through
// workflow history — only their record (URI + SHA-256).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from './errors.ts';

export const SAFE_CASE_ID = /^[A-Za-z0-9_.-]{1,128}$/;

/** The evidence id an idempotency key always gets. */
export function evidenceIdFor(idempotencyKey: string): string {
  return `ev_${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 20)}`;
}

export interface EvidencePaths {
  dir: string;
  /** The artifact file (extension given by the caller). */
  artifact: string;
  record: string;
}

export function evidencePaths(evidenceDir: string, caseId: string, evidenceId: string, extension: string): EvidencePaths {
  if (!SAFE_CASE_ID.test(caseId ?? '')) throw ApplicationFailure.nonRetryable('evidence: caseId must be 1–128 letters, digits, ".", "_" or "-"', ErrorType.invalidInput);
  const dir = path.join(evidenceDir, caseId);
  return { dir, artifact: path.join(dir, `${evidenceId}.${extension}`), record: path.join(dir, `${evidenceId}.json`) };
}

/** The record of evidence already taken under this id, if any. */
export function existingRecord<T>(paths: EvidencePaths): T | undefined {
  return fs.existsSync(paths.record) ? (JSON.parse(fs.readFileSync(paths.record, 'utf8')) as T) : undefined;
}

/** Writes the record beside the artifact (atomically) and appends it to the ledger. */
export function writeRecord<T extends { finishedAt: string }>(evidenceDir: string, paths: EvidencePaths, record: T): T {
  fs.writeFileSync(`${paths.record}.tmp`, JSON.stringify(record, null, 2));
  fs.renameSync(`${paths.record}.tmp`, paths.record);
  appendLedger(evidenceDir, { event: 'acquired', at: record.finishedAt, ...record });
  return record;
}

export function appendLedger(evidenceDir: string, entry: Record<string, unknown>): void {
  fs.appendFileSync(path.join(evidenceDir, 'custody.jsonl'), `${JSON.stringify(entry)}\n`);
}

/**
 * Downloads a URL (a vendor's signed, short-lived link) to a file, hashing as it goes. The URL
 * is a credential: failures name the integration and status only.
 */
export function downloadTo(integration: string, url: string, file: string, signal?: AbortSignal): Promise<{ sha256: string; bytes: number }> {
  return downloadWith(integration, url, {}, file, signal);
}

/** The same, with request headers (an authenticated download). */
export async function downloadWith(integration: string, url: string, headers: Record<string, string>, file: string, signal?: AbortSignal): Promise<{ sha256: string; bytes: number }> {
  let res: Response;
  try {
    res = await fetch(url, { headers, signal: signal ?? AbortSignal.timeout(30 * 60_000) });
  } catch {
    throw ApplicationFailure.create({ type: ErrorType.unavailable, message: `${integration}: the artifact download failed` });
  }
  if (!res.ok || !res.body) throw ApplicationFailure.create({ type: ErrorType.unavailable, message: `${integration}: the artifact download answered HTTP ${res.status}` });
  const hash = createHash('sha256');
  let bytes = 0;
  const out = fs.createWriteStream(file);
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      hash.update(chunk);
      bytes += chunk.length;
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
    }
  } finally {
    await new Promise<void>((r) => out.end(() => r()));
  }
  return { sha256: hash.digest('hex'), bytes };
}
