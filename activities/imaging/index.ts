// Disk acquisition with dc3dd or dcfldd on the worker's host, recorded as chain-of-custody
// evidence. Long copies heartbeat their progress; a worker that dies mid-copy leaves a partial
// image that the retry on another worker discards and takes again, and a retry after success
// returns the evidence already taken (same key, same record).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../shared/errors.ts';
import { defineIntegration } from '../shared/integration.ts';
import { appendLedger, evidenceIdFor, evidencePaths, existingRecord, hashFile, insideDir, writeRecord } from '../shared/evidence.ts';
import { remoteToolVersion, runRemoteTool, runTool, toolVersion } from './acquire.ts';
import type { AcquireDiskInput, EvidenceRecord, VerifyEvidenceInput, VerifyEvidenceResult } from './types.ts';
import { info } from './info.ts';

export { info };

export interface ImagingOptions {
  /** Images go to <dir>/<caseId>/<evidenceId>.img, records beside them and in <dir>/custody.jsonl. */
  evidenceDir: string;
  heartbeatMs?: number;
  /** Remote acquisition: the key, the pinned host keys, the user and port. */
  ssh?: { key: string; knownHosts: string; user: string; port: number };
  /** The only devices that may be imaged (RIPOSTE_IMAGING_DEVICES, else RIPOSTE_IMAGING_DEVICE, else /dev/sda); unset: any. */
  devices?: readonly string[];
}

/** Device paths that are safe on a remote shell's command line too. */
const SAFE_DEVICE = /^\/[A-Za-z0-9/_.-]{1,255}$/;
const SAFE_HOST = /^[A-Za-z0-9.-]{1,253}$|^\[?[0-9a-fA-F:.]+\]?$/;

export function createImagingActivities(opts: ImagingOptions) {
  return {
    async imagingAcquireDisk(input: AcquireDiskInput): Promise<EvidenceRecord> {
      const tool = input.tool ?? 'dc3dd';
      if (tool !== 'dc3dd' && tool !== 'dcfldd') throw invalid('tool must be dc3dd or dcfldd');
      if (typeof input.device !== 'string' || !SAFE_DEVICE.test(input.device) || input.device.includes('..')) throw invalid('device must be an absolute path of letters, digits, "/", "_", "." and "-"');
      if (opts.devices && !opts.devices.includes(input.device)) throw invalid(`${input.device} is not a device Riposte may image (RIPOSTE_IMAGING_DEVICES: ${opts.devices.join(', ')})`);
      if (input.host !== undefined && (!SAFE_HOST.test(input.host) || input.host.startsWith('-'))) throw invalid('host must be a host name or address');
      if (input.host !== undefined && !opts.ssh) throw invalid('remote imaging needs RIPOSTE_SSH_KEY and RIPOSTE_SSH_KNOWN_HOSTS');
      if (!input.idempotencyKey || !input.requestedBy) throw invalid('idempotencyKey and requestedBy are required');
      const stat = input.host ? undefined : fs.statSync(input.device, { throwIfNoEntry: false });
      if (!input.host && !stat) throw invalid(`no such device or file: ${input.device}`);

      const evidenceId = evidenceIdFor(input.idempotencyKey);
      const paths = evidencePaths(opts.evidenceDir, input.caseId, evidenceId, 'img');
      const { dir, artifact: image } = paths;
      // Taken before (a retry after success): the same record.
      const done = existingRecord<EvidenceRecord>(paths);
      if (done) return done;

      fs.mkdirSync(dir, { recursive: true });
      fs.rmSync(image, { force: true }); // a partial image from a worker that died mid-copy
      const ctx = Context.current();
      const startedAt = new Date().toISOString();
      const target = input.host && opts.ssh ? { host: input.host, ...opts.ssh } : undefined;
      const version = target ? remoteToolVersion(tool, target) : toolVersion(tool);
      const hashLog = path.join(dir, `${evidenceId}.${tool}.log`);
      const sourceBytes = stat && !stat.isBlockDevice() ? stat.size : 0;
      const beat = (bytes: number) => ctx.heartbeat({ bytes, sourceBytes });
      const run = target
        ? await runRemoteTool(tool, input.device, image, target, beat, ctx.cancellationSignal, opts.heartbeatMs)
        : await runTool(tool, input.device, image, hashLog, beat, ctx.cancellationSignal, opts.heartbeatMs);
      ctx.heartbeat({ bytes: run.bytes, verifying: true });
      const verified = await hashFile(image);
      if (verified.sha256 !== run.sha256) {
        throw ApplicationFailure.create({ type: ErrorType.tool, message: `imaging: the image does not match what ${tool} read (${verified.sha256} ≠ ${run.sha256})` });
      }
      const record: EvidenceRecord = {
        evidenceId,
        caseId: input.caseId,
        kind: 'disk-image',
        source: { host: input.host ?? os.hostname(), device: input.device, bytes: sourceBytes || verified.bytes },
        tool,
        toolVersion: version,
        sha256: run.sha256,
        verifiedSha256: verified.sha256,
        bytes: verified.bytes,
        startedAt,
        finishedAt: new Date().toISOString(),
        requestedBy: input.requestedBy,
        uri: pathToFileURL(image).href,
        idempotencyKey: input.idempotencyKey,
      };
      return writeRecord(opts.evidenceDir, paths, record);
    },

    /** Re-reads an image and says whether it still has the hash its record says. */
    async imagingVerifyEvidence({ uri, sha256 }: VerifyEvidenceInput): Promise<VerifyEvidenceResult> {
      let file: string;
      try {
        file = fileURLToPath(uri);
      } catch {
        throw invalid('uri must be a file:// URI from an evidence record');
      }
      if (!insideDir(opts.evidenceDir, file)) throw invalid('uri is not in the evidence directory');
      if (!fs.existsSync(file)) throw invalid(`no evidence at ${uri}`);
      const now = await hashFile(file);
      appendLedger(opts.evidenceDir, { event: 'verified', at: new Date().toISOString(), uri, intact: now.sha256 === sha256, sha256: now.sha256 });
      return { uri, intact: now.sha256 === sha256, sha256: now.sha256, bytes: now.bytes };
    },
  };
}

function invalid(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`imaging: ${message}`, ErrorType.invalidInput);
}

/** Registered in activities/catalog.ts. */
export const integration = defineIntegration({
  info,
  activities: (ctx) =>
    createImagingActivities({
      evidenceDir: ctx.evidenceDir,
      devices: (ctx.env.RIPOSTE_IMAGING_DEVICES ?? ctx.env.RIPOSTE_IMAGING_DEVICE ?? '/dev/sda').split(',').map((d) => d.trim()).filter(Boolean),
      ...(ctx.env.RIPOSTE_SSH_KEY && ctx.env.RIPOSTE_SSH_KNOWN_HOSTS
        ? { ssh: { key: path.resolve(ctx.env.RIPOSTE_SSH_KEY), knownHosts: path.resolve(ctx.env.RIPOSTE_SSH_KNOWN_HOSTS), user: ctx.env.RIPOSTE_SSH_USER ?? 'root', port: Number(ctx.env.RIPOSTE_SSH_PORT ?? 22) } }
        : {}),
    }),
});
