// EBS snapshots of every volume attached to an instance, as evidence: tagged with the case and
// the step's idempotency key at creation (TagSpecifications, so no snapshot ever exists untagged),
// found by that tag first so a retry never snapshots twice, waited on to completion, and recorded
// in the chain of custody (<evidence dir>/<caseId>/<evidenceId>.json and custody.jsonl).
//
// The snapshot ids are heartbeated as they are created: EC2 is eventually consistent, and a
// retry right after a CreateSnapshot might not see the new snapshot in a tag search yet.
import fs from 'node:fs';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { CreateSnapshotCommand, DescribeSnapshotsCommand, type Snapshot } from '@aws-sdk/client-ec2';
import { ErrorType } from '../shared/errors.ts';
import { appendLedger, evidenceIdFor, evidencePaths, existingRecord, pollWithHeartbeat } from '../shared/evidence.ts';
import { partitionOf, type AwsClient } from './client.ts';
import { getInstance, setTags, tagMap } from './instance.ts';
import type { EbsSnapshotRecord, SnapshotVolumesInput, SnapshotVolumesResult } from './types.ts';

const KEY = 'riposte:key';
const VOLUME = 'riposte:volume';
/** Where AWS reports no CompletionTime (older APIs, emulators), the time Riposte saw completion. */
const COMPLETED_AT = 'riposte:completed-at';

export interface SnapshotOptions {
  evidenceDir: string;
  pollMs: number;
}

export async function snapshotVolumes(aws: AwsClient, region: string | undefined, input: SnapshotVolumesInput, opts: SnapshotOptions): Promise<SnapshotVolumesResult> {
  const regionName = region ?? aws.defaultRegion;
  const inst = await getInstance(aws, region, input.instanceId);
  const volumes = (inst.BlockDeviceMappings ?? []).filter((b) => b.Ebs?.VolumeId).map((b) => ({ volumeId: b.Ebs?.VolumeId as string, device: b.DeviceName ?? '' }));
  const resumed = (Context.current().info.heartbeatDetails as { snapshots?: Record<string, string> } | undefined)?.snapshots ?? {};
  const tagged = await snapshotsTaggedWith(aws, region, input.idempotencyKey);
  // A failed snapshot is not evidence: the retry takes a new one.
  const failed = new Set(tagged.filter((s) => s.State === 'error').map((s) => s.SnapshotId));
  const snapshots: Record<string, string> = Object.fromEntries(Object.entries(resumed).filter(([, id]) => !failed.has(id)));
  for (const s of tagged) {
    const volume = tagMap(s.Tags)[VOLUME];
    if (volume && s.SnapshotId && !failed.has(s.SnapshotId)) snapshots[volume] = s.SnapshotId;
  }
  const ec2 = aws.in(region).ec2;
  for (const v of volumes) {
    if (snapshots[v.volumeId]) continue;
    const tags = { 'riposte:case': input.caseId, [KEY]: input.idempotencyKey, [VOLUME]: v.volumeId, 'riposte:device': v.device, 'riposte:instance': input.instanceId, 'riposte:requested-by': input.requestedBy };
    const created = await aws.call('CreateSnapshot', (abortSignal) =>
      ec2.send(
        new CreateSnapshotCommand({
          VolumeId: v.volumeId,
          Description: `Riposte case ${input.caseId}: ${v.device} of ${input.instanceId}`.slice(0, 255),
          TagSpecifications: [{ ResourceType: 'snapshot', Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }],
        }),
        { abortSignal }
      )
    );
    snapshots[v.volumeId] = created.SnapshotId as string;
    Context.current().heartbeat({ snapshots });
  }

  const wanted = volumes.map((v) => snapshots[v.volumeId] as string);
  let found: Snapshot[] = [];
  await pollWithHeartbeat({ snapshots }, async () => {
    found = wanted.length ? await snapshotsById(aws, region, wanted) : [];
    const failed = found.find((s) => s.State === 'error');
    if (failed) throw ApplicationFailure.create({ type: ErrorType.unavailable, message: `aws: snapshot ${failed.SnapshotId} of ${tagMap(failed.Tags)[VOLUME] ?? 'a volume'} failed${failed.StateMessage ? `: ${failed.StateMessage.slice(0, 200)}` : ''}` });
    return found.length === wanted.length && found.every((s) => s.State === 'completed');
  }, opts.pollMs);

  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const untimed = found.filter((s) => !s.CompletionTime && !tagMap(s.Tags)[COMPLETED_AT]).map((s) => s.SnapshotId as string);
  await setTags(aws, region, untimed, { [COMPLETED_AT]: now });
  const records = volumes.map((v) => {
    const s = found.find((x) => x.SnapshotId === snapshots[v.volumeId]) as Snapshot;
    const tags = { ...tagMap(s.Tags), ...(untimed.includes(s.SnapshotId as string) ? { [COMPLETED_AT]: now } : {}) };
    return record(input, v, s, tags, regionName, opts.evidenceDir);
  });
  return { status: 'ok', instanceId: input.instanceId, snapshots: records };
}

function record(input: SnapshotVolumesInput, v: { volumeId: string; device: string }, s: Snapshot, tags: Record<string, string>, region: string, evidenceDir: string): EbsSnapshotRecord {
  const evidenceId = evidenceIdFor(`${input.idempotencyKey}:${v.volumeId}`);
  const paths = evidencePaths(evidenceDir, input.caseId, evidenceId, 'ebs-snapshot');
  // Recorded once: a retry answers what the ledger already holds.
  const done = existingRecord<EbsSnapshotRecord>(paths);
  if (done) return done;
  const rec: EbsSnapshotRecord = {
    evidenceId,
    kind: 'ebs-snapshot',
    snapshotId: s.SnapshotId as string,
    volumeId: v.volumeId,
    device: v.device,
    startedAt: s.StartTime?.toISOString() ?? '',
    completedAt: s.CompletionTime?.toISOString() ?? tags[COMPLETED_AT] ?? '',
    state: s.State ?? 'completed',
    ...(s.FullSnapshotSizeInBytes !== undefined ? { bytes: s.FullSnapshotSizeInBytes } : {}),
    tags,
    requestedBy: input.requestedBy,
    uri: `arn:${partitionOf(region)}:ec2:${region}:${s.OwnerId ?? ''}:snapshot/${s.SnapshotId}`,
  };
  // The snapshot stays in AWS; only its record is written here (the artifact path goes unused).
  fs.mkdirSync(paths.dir, { recursive: true });
  fs.writeFileSync(`${paths.record}.tmp`, JSON.stringify(rec, null, 2));
  fs.renameSync(`${paths.record}.tmp`, paths.record);
  appendLedger(evidenceDir, { event: 'acquired', at: rec.completedAt, caseId: input.caseId, idempotencyKey: input.idempotencyKey, instanceId: input.instanceId, ...rec });
  return rec;
}

async function snapshotsTaggedWith(aws: AwsClient, region: string | undefined, key: string): Promise<Snapshot[]> {
  const out: Snapshot[] = [];
  let next: string | undefined;
  do {
    const page = await aws.call('DescribeSnapshots', (abortSignal) =>
      aws.in(region).ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'], Filters: [{ Name: `tag:${KEY}`, Values: [key] }], ...(next ? { NextToken: next } : {}) }), { abortSignal })
    );
    out.push(...(page.Snapshots ?? []));
    next = page.NextToken;
  } while (next);
  return out;
}

async function snapshotsById(aws: AwsClient, region: string | undefined, ids: string[]): Promise<Snapshot[]> {
  const res = await aws.call('DescribeSnapshots', (abortSignal) => aws.in(region).ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: ids }), { abortSignal }));
  return res.Snapshots ?? [];
}
