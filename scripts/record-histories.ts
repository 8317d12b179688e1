// `npm run record:histories`: runs every playbook through its main paths — success, rejection,
// approval timeout, failure, a later alert — and the case workflow (one playbook; continue-as-new
// while a playbook runs) on a real Temporal dev server, and writes each history to
// test/replay/histories/, which the replay test replays on every `npm test`. Existing files are
// kept: they are the histories of earlier versions that may still be running, and must go on
// replaying. Record before changing a published playbook; name a new scenario to add one.
// AWS scenarios run against moto server (installed by `node scripts/setup.mjs test`); vendors that
// cannot run here (VirusTotal) answer through nock from their documented shapes.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { ApplicationFailure } from '@temporalio/common';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import nock from 'nock';
import { FirstSeenStore } from '../activities/dns/first-seen.ts';
import { firstSeenFinding } from '../activities/logstore/first-seen-source.ts';
import { VirusTotalClient } from '../activities/virustotal/client.ts';
import type { EgressBlocker } from '../activities/containment/types.ts';
import { alertIdFor } from '../domain/entities.ts';
import { normalizeOcsf } from '../api/sources/ocsf.ts';
import { crowdstrike } from '../api/sources/crowdstrike.ts';
import { Secret } from '../config/secret.ts';
import type { NativeAlert } from '../core/alert.ts';
import type { PlaybookView } from '../core/case.ts';
import { MAX_INDICATORS } from '../workflows/playbook.ts';
import { setupTelemetry } from '../telemetry/index.ts';
import { createRiposteWorkers } from '../worker/create-worker.ts';
import { alertsSignal, approvalUpdate, caseWorkflowId, playbookAlertsSignal, playbookViewQuery, playbookWorkflowId, rerunPlaybookUpdate, UNTRACED_MEMO, untracedMemo, type PlaybookInput } from '../workflows/definitions.ts';
import { caseSearchAttributes } from '../workflows/search-attributes.ts';
import { c2Alert, playbookInput } from '../test/helpers/alerts.ts';
import { findingEvent, guarddutyAlert, startAwsLab, userWithKey, webServer } from '../test/helpers/aws-lab.ts';
import { startDnsmasq } from '../test/helpers/dnsmasq.ts';
import { RecordingEgress, RecordingTickets } from '../test/helpers/fakes.ts';
import { fixture } from '../test/helpers/fixtures.ts';
import { freePort, startDevServer } from './dev-server.ts';
import { findTemporalCli } from './temporal-cli.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'test/replay/histories');
const sdkVersion = (createRequire(import.meta.url)('@temporalio/workflow/package.json') as { version: string }).version.replace(/\./g, '_');
const VT = 'https://vt.record.test/api/v3';

interface Scenario {
  /** `<playbook>_<scenario>`: the file name before the SDK version. */
  name: string;
  workflowType: string;
  input: () => Promise<PlaybookInput> | PlaybookInput;
  /** Decides approvals, sends later alerts…; the run then finishes. */
  drive?(h: WorkflowHandle): Promise<void>;
  /** The run is expected to fail (its history is recorded all the same). */
  fails?: boolean;
  /** Started untraced, as a case started with no exporter configured starts its runs. */
  untraced?: boolean;
}

const view = (h: WorkflowHandle) => h.query(playbookViewQuery);
async function until(h: WorkflowHandle, ok: (v: PlaybookView) => boolean): Promise<PlaybookView> {
  for (let i = 0; i < 300; i++) {
    const v = await view(h).catch(() => undefined);
    if (v && ok(v)) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${h.workflowId}: never reached the expected state`);
}
const pending = (h: WorkflowHandle) => until(h, (v) => v.approvals.some((a) => a.status === 'pending'));
async function decideNext(h: WorkflowHandle, decision: 'approve' | 'reject'): Promise<void> {
  const v = await pending(h);
  const id = v.approvals.find((a) => a.status === 'pending')?.id as string;
  await h.executeUpdate(approvalUpdate, { args: [{ approvalId: id, decision, actor: 'analyst', comment: 'recorded' }] });
}

function firstSeenAlert(domain: string): NativeAlert {
  return normalizeOcsf(firstSeenFinding(domain, { at: new Date(Date.now() - 60_000).toISOString(), source: 'dnsmasq', host: '10.0.3.7' }) as never);
}

function malwareAlert(host: string, severity = 'High'): NativeAlert {
  const event = structuredClone(fixture<{ event: Record<string, unknown> }>('malware/falcon-detection.json'));
  Object.assign(event.event, { ComputerName: host, LocalIP: '10.0.4.21', SeverityName: severity, DetectId: `ldt:record:${host}:${severity}` });
  const { alert } = crowdstrike.normalize(event);
  return { ...alert, id: alertIdFor('crowdstrike', alert.sourceUid), source: 'crowdstrike' };
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const cli = findTemporalCli();
  if (!cli) throw new Error('the Temporal CLI is missing: run `node scripts/setup.mjs`');
  let address = process.env.TEMPORAL_ADDRESS;
  let stopServer: (() => Promise<void>) | undefined;
  if (!address) {
    const server = await startDevServer({ cli: cli.bin, port: await freePort(), headless: true, logFile: path.join(os.tmpdir(), 'riposte-record.log') });
    address = server.address;
    stopServer = server.stop;
  }
  const lab = await startAwsLab();
  const dns = await startDnsmasq({ 'young.record.test': '203.0.113.66', 'young2.record.test': '203.0.113.67', 'unknown.record.test': '203.0.113.68', 'young3.record.test': '203.0.113.69' });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'riposte-record-'));
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1|localhost/);
  const vtDomain = (domain: string, daysAgo: number) => ({ data: { id: domain, type: 'domain', attributes: { creation_date: Math.floor(Date.now() / 1000) - daysAgo * 86_400, last_analysis_stats: { malicious: 0, suspicious: 0, harmless: 60, undetected: 10 }, reputation: 0, tags: [] } } });
  nock(VT).get(/\/domains\/young\d*\.record\.test/).reply(200, (uri) => vtDomain(uri.split('/').pop() as string, 3)).persist();
  nock(VT).get(/.*/).reply(404, { error: { code: 'NotFoundError', message: 'not found' } }).persist();

  const telemetry = setupTelemetry({ exporter: 'none', serviceName: 'riposte-record' }, 'record');
  const native = await NativeConnection.connect({ address });
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, plugins: [telemetry.temporalPlugin] });
  const taskQueue = `record-${Date.now()}`;
  const save = (name: string, workflowId: string) => {
    const file = path.join(outDir, `${name}_${sdkVersion}.json`);
    if (fs.existsSync(file)) return console.log(`kept ${path.relative(root, file)} (an earlier version's history)`);
    // The CLI writes the same JSON as the Temporal UI's "download history".
    fs.writeFileSync(file, execFileSync(cli.bin, ['workflow', 'show', '--address', address as string, '--workflow-id', workflowId, '--output', 'json'], { encoding: 'utf8' }));
    console.log(`recorded ${path.relative(root, file)}`);
  };
  /** A driver that fails the way a firewall that refuses the rule does: not retried. */
  let failEgress = false;
  const egress = new RecordingEgress();
  const flaky: EgressBlocker = {
    name: 'recording',
    block: (input) => (failEgress ? Promise.reject(ApplicationFailure.nonRetryable('nft: Operation not permitted', 'ToolError')) : egress.block(input)),
    unblock: (input) => egress.unblock(input),
  };
  const [worker, ...others] = await createRiposteWorkers({
    connection: native,
    namespace: 'default',
    taskQueue,
    telemetry,
    deps: {
      dns: { servers: [dns.server], timeoutMs: 1000, firstSeen: new FirstSeenStore(path.join(dataDir, 'first-seen.db')) },
      virustotal: new VirusTotalClient({ baseUrl: VT, apiKey: new Secret('vt-record-key-0123456789') }),
      tickets: new RecordingTickets(),
      egress: flaky,
      containment: { live: ['recording', 'aws'] },
      context: { env: { ...lab.env, RIPOSTE_INDICATORS_FILE: path.join(dataDir, 'indicators.db'), RIPOSTE_LOGSTORE_FILE: path.join(dataDir, 'logs.db') }, dataDir, evidenceDir: path.join(dataDir, 'evidence') },
    },
  });
  const othersRunning = others.map((w) => w.run());

  const c2 = (o: Parameters<typeof c2Alert>[0], settings: Record<string, string> = {}) => () => playbookInput(c2Alert(o), settings);
  const scenarios: Scenario[] = [
    { name: 'suspected-c2-v2_approved-contained', workflowType: 'suspectedC2Playbook', input: c2({ uid: 'v2-approved' }), drive: (h) => decideNext(h, 'approve') },
    { name: 'suspected-c2-v2_rejected-closed', workflowType: 'suspectedC2Playbook', input: c2({ uid: 'v2-rejected' }), drive: (h) => decideNext(h, 'reject') },
    { name: 'suspected-c2-v2_timeout-contained', workflowType: 'suspectedC2Playbook', input: c2({ uid: 'v2-timeout' }, { approvalTimeout: '1s', onApprovalTimeout: 'contain' }) },
    { name: 'suspected-c2-v2_low-severity-closed', workflowType: 'suspectedC2Playbook', input: c2({ uid: 'v2-low', severity_id: 2 }) },
    {
      name: 'suspected-c2-v2_later-alert-second-round',
      workflowType: 'suspectedC2Playbook',
      input: c2({ uid: 'v2-round-1', remoteIp: '203.0.113.7' }),
      drive: async (h) => {
        await pending(h);
        await h.signal(playbookAlertsSignal, { alerts: [c2Alert({ uid: 'v2-round-2', remoteIp: '203.0.113.99' })] });
        await decideNext(h, 'approve');
        await until(h, (v) => v.approvals.length === 2);
        await decideNext(h, 'approve');
      },
    },
    {
      name: 'suspected-c2-v2_containment-failed',
      workflowType: 'suspectedC2Playbook',
      input: c2({ uid: 'v2-failed' }),
      fails: true,
      drive: async (h) => {
        failEgress = true;
        await decideNext(h, 'approve');
      },
    },
    { name: 'suspected-c2-v2_dry-run', workflowType: 'suspectedC2Playbook', input: () => ({ ...playbookInput(c2Alert({ uid: 'v2-dry' })), dryRun: { approvals: 'approve' } }) },
    { name: 'never-seen-domain_suspicious-approved', workflowType: 'neverSeenDomainPlaybook', input: () => playbookInput(firstSeenAlert('young.record.test')), drive: (h) => decideNext(h, 'approve') },
    { name: 'never-seen-domain_suspicious-rejected', workflowType: 'neverSeenDomainPlaybook', input: () => playbookInput(firstSeenAlert('young2.record.test')), drive: (h) => decideNext(h, 'reject') },
    { name: 'never-seen-domain_inconclusive-closed', workflowType: 'neverSeenDomainPlaybook', input: () => playbookInput(firstSeenAlert('unknown.record.test')) },
    { name: 'malware-on-endpoint_approved-isolated', workflowType: 'malwareOnEndpointPlaybook', input: () => playbookInput(malwareAlert('fin-ws-101')), drive: (h) => decideNext(h, 'approve') },
    { name: 'malware-on-endpoint_rejected', workflowType: 'malwareOnEndpointPlaybook', input: () => playbookInput(malwareAlert('fin-ws-102')), drive: (h) => decideNext(h, 'reject') },
    { name: 'malware-on-endpoint_timeout', workflowType: 'malwareOnEndpointPlaybook', input: () => playbookInput(malwareAlert('fin-ws-103'), { approvalTimeout: '1s' }) },
    {
      name: 'aws-instance-compromise-v2_approved-isolated',
      workflowType: 'awsInstanceCompromisePlaybook',
      input: async () => {
        const s = await webServer(lab);
        return playbookInput(guarddutyAlert(findingEvent('guardduty-ec2-c2-activity.json', (d) => (d.resource.instanceDetails.instanceId = s.instanceId))));
      },
      drive: (h) => decideNext(h, 'approve'),
    },
    {
      name: 'aws-instance-compromise-v2_rejected',
      workflowType: 'awsInstanceCompromisePlaybook',
      input: async () => {
        const s = await webServer(lab);
        return playbookInput(guarddutyAlert(findingEvent('guardduty-ec2-c2-activity.json', (d) => (d.resource.instanceDetails.instanceId = s.instanceId))));
      },
      drive: (h) => decideNext(h, 'reject'),
    },
    {
      name: 'aws-credential-compromise_key-deactivated',
      workflowType: 'awsCredentialCompromisePlaybook',
      input: async () => {
        const userName = `record-user-${Date.now()}`;
        const keyId = await userWithKey(lab, userName);
        return playbookInput(guarddutyAlert(findingEvent('guardduty-iam-malicious-ip-caller.json', (d) => Object.assign(d.resource.accessKeyDetails, { accessKeyId: keyId, userName }))));
      },
      drive: (h) => decideNext(h, 'approve'),
    },
    { name: 'aws-credential-compromise_root-escalated', workflowType: 'awsCredentialCompromisePlaybook', input: () => playbookInput(guarddutyAlert(findingEvent('guardduty-root-credential-usage.json'))) },
    // Runs that write their facts to the case record (case-record-store), decisions included.
    { name: 'suspected-c2-v2_approved-contained-with-record', workflowType: 'suspectedC2Playbook', input: c2({ uid: 'v2-approved-record' }), drive: (h) => decideNext(h, 'approve') },
    { name: 'never-seen-domain_inconclusive-closed-with-record', workflowType: 'neverSeenDomainPlaybook', input: () => playbookInput(firstSeenAlert('unknown.record.test')) },
    { name: 'malware-on-endpoint_rejected-with-record', workflowType: 'malwareOnEndpointPlaybook', input: () => playbookInput(malwareAlert('fin-ws-104')), drive: (h) => decideNext(h, 'reject') },
    // From DECIDE_ONCE_ACCEPTED_PATCH on, a decision waits for its update to be in history.
    { name: 'suspected-c2-v2_approved-once-accepted', workflowType: 'suspectedC2Playbook', input: c2({ uid: 'v2-approved-accepted' }), drive: (h) => decideNext(h, 'approve') },
    { name: 'malware-on-endpoint_rejected-once-accepted', workflowType: 'malwareOnEndpointPlaybook', input: () => playbookInput(malwareAlert('fin-ws-105')), drive: (h) => decideNext(h, 'reject') },
    // Lookups, hunts and ticket updates as quick calls (local activities first).
    { name: 'suspected-c2-v2_approved-quick-calls', workflowType: 'suspectedC2Playbook', input: c2({ uid: 'v2-approved-quick' }), drive: (h) => decideNext(h, 'approve'), untraced: true },
    { name: 'never-seen-domain_suspicious-approved-quick-calls', workflowType: 'neverSeenDomainPlaybook', input: () => playbookInput(firstSeenAlert('young3.record.test')), drive: (h) => decideNext(h, 'approve'), untraced: true },
    { name: 'malware-on-endpoint_rejected-quick-calls', workflowType: 'malwareOnEndpointPlaybook', input: () => playbookInput(malwareAlert('fin-ws-106')), drive: (h) => decideNext(h, 'reject'), untraced: true },
    { name: 'ioc-sweep_no-sightings', workflowType: 'iocSweepPlaybook', input: () => ({}) as PlaybookInput },
  ];

  await (worker as NonNullable<typeof worker>).runUntil(async () => {
    // A case: two alerts in two batches (one a re-delivery), one playbook started, approved,
    // finished and reported back; the idle case then ends.
    const caseId = `cs_${Date.now().toString(16).padStart(16, '0')}`;
    const alert = c2Alert({ uid: 'replay-case-v2' });
    const caseHandle = await client.workflow.signalWithStart('caseWorkflow', {
      taskQueue,
      workflowId: caseWorkflowId(caseId),
      args: [{ caseId, settings: { idleTimeout: '2s' } }],
      signal: alertsSignal,
      signalArgs: [{ items: [{ seq: 1, kind: 'new', alert }] }],
    });
    await caseHandle.signal(alertsSignal, { items: [{ seq: 1, kind: 'new', alert }, { seq: 2, kind: 'new', alert: c2Alert({ uid: 'replay-case-v2-2', severity_id: 1 }) }] });
    const child = client.workflow.getHandle(playbookWorkflowId('suspected-c2', caseId));
    await decideNext(child, 'approve');
    await child.result();
    await caseHandle.result();
    save('case_one-playbook-v2', caseHandle.workflowId);
    save('suspected-c2-v2_child-of-case', child.workflowId);

    // A case that continues as new while its playbook waits for an approval, then takes a later
    // alert into it after the continue-as-new; the first run of the case is recorded. Once traced,
    // once untraced (as the API starts cases with no exporter configured): its run is untraced too.
    const continuedCase = async (name: string, n: number, uid: string, untraced: boolean) => {
      const id = `cs_${(Date.now() + n).toString(16).padStart(16, '0')}`;
      const handle = await client.workflow.signalWithStart('caseWorkflow', {
        taskQueue,
        workflowId: caseWorkflowId(id),
        args: [{ caseId: id, settings: { idleTimeout: '2s' }, historyBudget: 20 }],
        signal: alertsSignal,
        signalArgs: [{ items: [{ seq: 1, kind: 'new', alert: c2Alert({ uid: `${uid}-1`, remoteIp: '203.0.113.7' }) }] }],
        ...untracedMemo(untraced),
      });
      const run = client.workflow.getHandle(playbookWorkflowId('suspected-c2', id));
      await pending(run);
      const firstRun = (await handle.describe()).runId;
      for (let seq = 2; seq <= 12; seq++) await handle.signal(alertsSignal, { items: [{ seq, kind: 'new', alert: c2Alert({ uid: `${uid}-${seq}`, severity_id: 1 }) }] });
      await handle.signal(alertsSignal, { items: [{ seq: 13, kind: 'new', alert: c2Alert({ uid: `${uid}-13`, remoteIp: '203.0.113.8' }) }] });
      await decideNext(run, 'approve');
      await decideNext(run, 'approve');
      await run.result();
      const last = client.workflow.getHandle(caseWorkflowId(id));
      await last.result();
      if (untraced && (await last.describe()).memo?.[UNTRACED_MEMO] !== true) throw new Error('the continued case lost its untraced memo');
      const file = path.join(outDir, `${name}_${sdkVersion}.json`);
      if (!fs.existsSync(file)) {
        fs.writeFileSync(file, execFileSync(cli.bin, ['workflow', 'show', '--address', address as string, '--workflow-id', handle.workflowId, '--run-id', firstRun, '--output', 'json'], { encoding: 'utf8' }));
        console.log(`recorded ${path.relative(root, file)}`);
      }
      return run;
    };
    await continuedCase('case_continued-as-new-while-playbook-runs', 1, 'can', false);
    const leanChild = await continuedCase('case_untraced-continued-as-new-while-playbook-runs', 4, 'lean', true);
    save('suspected-c2-v2_untraced-child-of-case', leanChild.workflowId);

    // A case whose first run leaves indicators past its bound: the case starts a second run for
    // them (the leftovers path), which is rejected; the idle case then ends.
    const manyId = `cs_${(Date.now() + 2).toString(16).padStart(16, '0')}`;
    const many = c2Alert({ uid: 'many-1', remoteIp: '203.0.113.1' });
    many.observables.push(...Array.from({ length: MAX_INDICATORS + 3 }, (_, i) => ({ type: 'ip' as const, value: `198.51.100.${i + 1}`, role: 'dst' as const })));
    const manyCase = await client.workflow.signalWithStart('caseWorkflow', {
      taskQueue,
      workflowId: caseWorkflowId(manyId),
      args: [{ caseId: manyId, settings: { idleTimeout: '2s' } }],
      signal: alertsSignal,
      signalArgs: [{ items: [{ seq: 1, kind: 'new', alert: many }] }],
    });
    await decideNext(client.workflow.getHandle(playbookWorkflowId('suspected-c2', manyId)), 'reject');
    await decideNext(client.workflow.getHandle(playbookWorkflowId('suspected-c2', manyId, 2)), 'reject');
    await manyCase.result();
    save('case_leftovers-start-a-second-run', manyCase.workflowId);

    // A case carrying Riposte's search attributes (its run gets them and keeps its status in
    // them); after the first run is approved, an analyst re-runs the playbook (an update), and
    // rejects what the second run asks; the idle case then ends.
    const saId = `cs_${(Date.now() + 3).toString(16).padStart(16, '0')}`;
    const saAlert = c2Alert({ uid: 'sa-1', remoteIp: '203.0.113.9' });
    const saCase = await client.workflow.signalWithStart('caseWorkflow', {
      taskQueue,
      workflowId: caseWorkflowId(saId),
      args: [{ caseId: saId, settings: { idleTimeout: '3s' } }],
      signal: alertsSignal,
      signalArgs: [{ items: [{ seq: 1, kind: 'new', alert: saAlert }] }],
      typedSearchAttributes: caseSearchAttributes(saId, [saAlert]),
    });
    const saFirst = client.workflow.getHandle(playbookWorkflowId('suspected-c2', saId));
    await decideNext(saFirst, 'approve');
    await saFirst.result();
    await saCase.executeUpdate(rerunPlaybookUpdate, { args: [{ playbook: 'suspected-c2', alerts: [saAlert], requestedBy: 'alice', after: 1 }] });
    await decideNext(client.workflow.getHandle(playbookWorkflowId('suspected-c2', saId, 2)), 'reject');
    await saCase.result();
    save('case_search-attributes-and-rerun', saCase.workflowId);
    save('suspected-c2-v2_child-with-search-attributes', saFirst.workflowId);

    for (const s of scenarios) {
      const h = await client.workflow.start(s.workflowType, { taskQueue, workflowId: `record-${s.name}-${Date.now()}`, args: [await s.input()], ...untracedMemo(s.untraced) });
      await s.drive?.(h);
      const outcome = await h.result().then(
        () => 'completed',
        (err: unknown) => `failed: ${(err as Error).message}`
      );
      if (Boolean(s.fails) !== outcome.startsWith('failed')) throw new Error(`${s.name}: ${outcome}`);
      failEgress = false;
      save(s.name, h.workflowId);
    }
  });
  for (const w of others) w.shutdown();
  await Promise.all(othersRunning);
  await connection.close();
  await native.close();
  await lab.stop();
  await dns.stop();
  await stopServer?.();
  fs.rmSync(dataDir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
