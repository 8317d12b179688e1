// "Collect evidence from this host": memory through Elastic Defend, a triage package through
// Defender for Endpoint, a disk image with dc3dd/dcfldd over SSH — whichever the run's context
// chose. Each artifact arrives as the chain-of-custody record its collector wrote; this turns it
// into the case's evidence item. Long: the collectors heartbeat and resume on retry.
import { ApplicationFailure } from '@temporalio/common';
import type { EvidenceItem } from '../../core/case.ts';
import type { PackageInput } from '../defender/index.ts';
import type { MemoryDumpInput } from '../elasticdefend/index.ts';
import type { AcquireDiskInput } from '../imaging/types.ts';
import { ErrorType } from '../shared/errors.ts';
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { evidenceIdFor, evidencePaths, existingRecord, hashFile, writeRecord, type EvidenceRecord } from '../shared/evidence.ts';
import type { CollectInput, CollectResult, RecordDocumentInput } from './types.ts';
import { info } from './info.ts';

export { info };

type Skipped = { status: 'skipped'; reason: string };

export interface CollectionSources {
  elasticdefendMemoryDump(i: MemoryDumpInput): Promise<EvidenceRecord | Skipped>;
  defenderCollectInvestigationPackage(i: PackageInput): Promise<EvidenceRecord | Skipped>;
  imagingAcquireDisk(i: AcquireDiskInput): Promise<EvidenceRecord>;
}

export function createCollectionActivities(sources: CollectionSources, opts: { defaultDevice?: string; evidenceDir?: string } = {}) {
  return {
    /**
     * Keeps a document as evidence: written as JSON in the evidence directory, hashed from disk,
     * its custody record beside it and in the ledger, like every other artifact.
     */
    async collectionRecordDocument(input: RecordDocumentInput): Promise<EvidenceItem> {
      if (!input.idempotencyKey || !input.requestedBy || !input.source || !input.tool) throw invalid('idempotencyKey, requestedBy, source and tool are required');
      const evidenceDir = opts.evidenceDir ?? 'data/evidence';
      const paths = evidencePaths(evidenceDir, input.caseId, evidenceIdFor(input.idempotencyKey), 'document.json');
      const done = existingRecord<EvidenceRecord>(paths);
      if (done) return evidenceItem(done);
      const startedAt = new Date().toISOString();
      fs.mkdirSync(paths.dir, { recursive: true });
      fs.writeFileSync(paths.artifact, `${JSON.stringify(input.document, null, 2)}\n`);
      const { sha256, bytes } = await hashFile(paths.artifact);
      const record: EvidenceRecord = {
        evidenceId: evidenceIdFor(input.idempotencyKey),
        caseId: input.caseId,
        kind: input.kind,
        source: { host: input.source, device: input.kind, bytes },
        tool: input.tool,
        toolVersion: '',
        sha256,
        verifiedSha256: sha256,
        bytes,
        startedAt,
        finishedAt: new Date().toISOString(),
        requestedBy: input.requestedBy,
        uri: pathToFileURL(paths.artifact).href,
        idempotencyKey: input.idempotencyKey,
      };
      return evidenceItem(writeRecord(evidenceDir, paths, record));
    },

    async collectionCollect(input: CollectInput): Promise<CollectResult> {
      const name = input.host.hostname ?? input.host.ip;
      if (!name) throw invalid('a host name or address is required');
      const request = { caseId: input.caseId, requestedBy: input.requestedBy, idempotencyKey: input.idempotencyKey };
      const comment = `Riposte case ${input.caseId}: evidence before containment`;
      let got: EvidenceRecord | Skipped;
      switch (`${input.kind}:${input.provider}`) {
        case 'memory:elasticdefend':
          got = await sources.elasticdefendMemoryDump({ ...request, hostname: name, comment });
          break;
        case 'triage:defender':
          got = await sources.defenderCollectInvestigationPackage({ ...request, computerDnsName: name, comment });
          break;
        case 'disk:imaging':
          got = await sources.imagingAcquireDisk({ ...request, host: name, device: input.device ?? opts.defaultDevice ?? '/dev/sda' });
          break;
        default:
          throw invalid(`${input.provider} does not collect ${input.kind}`);
      }
      if ('status' in got) return got;
      return { status: 'ok', evidence: evidenceItem(got) };
    },
  };
}

/** A collector's custody record as the case shows it. */
export function evidenceItem(r: EvidenceRecord): EvidenceItem {
  return {
    evidenceId: r.evidenceId,
    kind: r.kind,
    source: r.source.device && r.source.device !== r.kind ? `${r.source.host}: ${r.source.device}` : r.source.host,
    uri: r.uri,
    sha256: r.verifiedSha256 || r.sha256,
    bytes: r.bytes,
    tool: `${r.tool} ${r.toolVersion}`.trim(),
    at: r.finishedAt,
    custody: { ...r },
  };
}

function invalid(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`collection: ${message}`, ErrorType.invalidInput);
}
