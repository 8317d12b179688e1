// The chain of custody every acquisition shares: where an artifact goes, its record beside it,
// and the append-only ledger <evidence dir>/custody.jsonl. Large artifacts never travel through
// workflow history — only their record (URI + SHA-256).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from './errors.ts';

/** One piece of evidence, as the chain of custody records it. */
export interface EvidenceRecord {
  evidenceId: string;
  caseId: string;
  kind: 'disk-image' | 'investigation-package' | 'memory-dump' | 'file' | 'instance-metadata';
  /** Where it came from: a host (or agent id) and a device, a path or a description. */
  source: { host: string; device: string; bytes: number };
  tool: string;
  toolVersion: string;
  /** SHA-256 of the source as the tool or vendor reported it (of the download, when it reports none). */
  sha256: string;
  /** The stored artifact re-read and hashed. */
  verifiedSha256: string;
  bytes: number;
  startedAt: string;
  finishedAt: string;
  /** Who or which playbook asked. */
  requestedBy: string;
  /** Where the artifact is: file:///…/<evidence dir>/<caseId>/<evidenceId>.<ext> */
  uri: string;
  idempotencyKey: string;
  /** The vendor's action or request id, for an acquisition through an EDR API. */
  vendorActionId?: string;
}

/** What every acquisition is asked with. */
export interface AcquisitionRequest {
  caseId: string;
  requestedBy: string;
  idempotencyKey: string;
}

/**
 * Polls until `done()` says so, heartbeating `details` each round (so a retry on another worker
 * can resume from them), sleeping `ms` between rounds; the activity's cancellation stops it.
 */
export async function pollWithHeartbeat(details: Record<string, unknown>, done: () => Promise<boolean>, ms: number): Promise<void> {
  const ctx = Context.current();
  for (;;) {
    ctx.heartbeat(details);
    if (await done()) return;
    await sleep(ms, undefined, { signal: ctx.cancellationSignal });
  }
}

/**
 * Downloads a vendor's artifact into the evidence directory, hashes it as it arrives and again on
 * disk, and records it in the chain of custody.
 */
export async function recordDownload(o: {
  integration: string;
  evidenceDir: string;
  paths: EvidencePaths;
  request: AcquisitionRequest;
  download: { url: string; headers?: Record<string, string> };
  kind: EvidenceRecord['kind'];
  source: { host: string; device: string; bytes?: number };
  tool: string;
  toolVersion: string;
  /** The source's hash as the vendor reports it, when it does. */
  vendorSha256?: string;
  vendorActionId: string;
  startedAt: string;
}): Promise<EvidenceRecord> {
  fs.mkdirSync(o.paths.dir, { recursive: true });
  const got = await downloadWith(o.integration, o.download.url, o.download.headers ?? {}, o.paths.artifact, Context.current().cancellationSignal);
  const stored = (await hashFile(o.paths.artifact)).sha256;
  if (stored !== got.sha256) throw ApplicationFailure.create({ type: ErrorType.tool, message: `${o.integration}: the stored artifact does not match what was downloaded` });
  return writeRecord(o.evidenceDir, o.paths, {
    evidenceId: path.basename(o.paths.record, '.json'),
    caseId: o.request.caseId,
    kind: o.kind,
    source: { host: o.source.host, device: o.source.device, bytes: o.source.bytes ?? got.bytes },
    tool: o.tool,
    toolVersion: o.toolVersion,
    sha256: o.vendorSha256 ?? got.sha256,
    verifiedSha256: stored,
    bytes: got.bytes,
    startedAt: o.startedAt,
    finishedAt: new Date().toISOString(),
    requestedBy: o.request.requestedBy,
    uri: pathToFileURL(o.paths.artifact).href,
    idempotencyKey: o.request.idempotencyKey,
    vendorActionId: o.vendorActionId,
  });
}

/** SHA-256 and size of a file, read from disk. */
export async function hashFile(file: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** A case id is one path component under the evidence directory: never `.`, `..` or hidden. */
export const SAFE_CASE_ID = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}$/;

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
  if (!SAFE_CASE_ID.test(caseId ?? '')) throw ApplicationFailure.nonRetryable('evidence: caseId must be 1–128 letters, digits, ".", "_" or "-", not starting with "."', ErrorType.invalidInput);
  const dir = path.join(evidenceDir, caseId);
  if (!insideDir(evidenceDir, dir)) throw ApplicationFailure.nonRetryable('evidence: the case directory is not inside the evidence directory', ErrorType.invalidInput);
  return { dir, artifact: path.join(dir, `${evidenceId}.${extension}`), record: path.join(dir, `${evidenceId}.json`) };
}

/**
 * Whether `file` is inside `dir` once both are resolved on disk (symbolic links followed, as far
 * as they exist), so neither `..` nor a link can lead out of it.
 */
export function insideDir(dir: string, file: string): boolean {
  const real = (p: string): string => {
    const abs = path.resolve(p);
    try {
      return fs.realpathSync(abs);
    } catch {
      // Not there yet: its parent's real path, and the rest as written.
      const parent = path.dirname(abs);
      return parent === abs ? abs : path.join(real(parent), path.basename(abs));
    }
  };
  const root = real(dir);
  const target = real(file);
  return target !== root && target.startsWith(root + path.sep);
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
