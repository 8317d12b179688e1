// Runs in the Temporal sandbox. "Collect evidence from these hosts", in order of volatility:
// memory first, then a triage package, then disks — all before containment changes what is
// running. The run's context says which collector answers each kind (an EDR where one is
// configured, dc3dd/dcfldd over SSH for disks); each artifact's chain-of-custody record is
// attached to the case. A collection that fails is recorded; the response goes on.
import type { CollectionKind } from '../../activities/collection/types.ts';
import type { EvidenceItem } from '../../core/case.ts';
import type { PlaybookRun } from '../playbook.ts';
import { COLLECTION } from './activity-options.ts';
import { message } from './ticket-sync.ts';

const VOLATILITY: readonly CollectionKind[] = ['memory', 'triage', 'disk'];
/** Hosts one call collects from, at most (each image can take hours). */
export const MAX_COLLECTION_HOSTS = 10;

export async function collectEvidence(
  run: PlaybookRun,
  hosts: Array<{ hostname?: string; ip?: string }>,
  kinds: CollectionKind[],
  opts: { device?: string } = {}
): Promise<EvidenceItem[]> {
  const { record, providers, unconfigured } = run;
  const { collectionCollect } = run.privileged(COLLECTION);
  const taken: EvidenceItem[] = [];
  const targets = hosts.filter((h) => h.hostname || h.ip).slice(0, MAX_COLLECTION_HOSTS);
  for (const kind of VOLATILITY.filter((k) => kinds.includes(k))) {
    const provider = providers.collect[kind][0];
    if (!provider) {
      record.skip(`collect.${kind}`, `no collector is configured for ${kind === 'disk' ? 'disk images' : kind === 'memory' ? 'memory' : 'triage packages'}`, unconfigured[`collect.${kind}`] ?? []);
      continue;
    }
    await Promise.all(
      targets.map(async (host) => {
        const name = host.hostname ?? host.ip ?? 'host';
        if (run.wouldDo('collect', `collect ${kind} from ${name} with ${provider}`)) return;
        try {
          const result = await collectionCollect({
            kind,
            provider,
            host,
            caseId: run.caseId,
            requestedBy: run.key('collect'),
            idempotencyKey: run.key(`collect:${kind}:${name}`),
            ...(opts.device ? { device: opts.device } : {}),
          });
          if (result.status === 'skipped') return record.note('collect', `${kind} from ${name}: skipped — ${result.reason}`);
          record.addEvidence(result.evidence);
          taken.push(result.evidence);
          record.note('collect', `${kind} from ${name} by ${provider}: ${result.evidence.evidenceId}${result.evidence.sha256 ? `, sha256 ${result.evidence.sha256}` : ''} (${result.evidence.uri})`);
        } catch (err) {
          record.note('collect', `could not collect ${kind} from ${name}: ${message(err)}`);
        }
      })
    );
  }
  return taken;
}
