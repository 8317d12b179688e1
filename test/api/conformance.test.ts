// API conformance: Schemathesis (pinned with its dependencies in
// test/fixtures/schemathesis/requirements.txt; `node scripts/setup.mjs test` installs it into
// ~/.cache/riposte/schemathesis-<version>/) runs against the live OpenAPI document of a running
// API with a real worker behind it, and every answer must be no 5xx and exactly what the document
// says: a documented status, the documented content type, a body matching the documented schema,
// the documented headers; schema-invalid input and requests without their token refused. Each
// operation is called with the token of the least role the document names for it
// (test/fixtures/schemathesis/hooks.py reads `x-riposte-roles`), so source, viewer, analyst and
// admin tokens are each used where the document asks for them. A real case (awaiting an approval),
// indicator, suppression and user exist before the run, and their ids are among the values
// Schemathesis draws, so the routes behind ids answer with real bodies, not only 404s.
//
// Deterministic (`--generation-deterministic` with a fixed `--seed`, one worker, no example
// database, no cache, run in a fresh temporary directory) and bounded (a fixed number of examples
// per operation, a hard kill after RUN_LIMIT_MS); no response-time assertion.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { c2Finding } from '../helpers/alerts.ts';
import { startApi, TOKENS, type TestApi } from '../helpers/api.ts';
import { RecordingEgress, RecordingTickets } from '../helpers/fakes.ts';
import { startWorker, testClient, uniqueQueue, waitFor, type RunningWorker } from '../helpers/temporal.ts';

const fixtures = fileURLToPath(new URL('../fixtures/schemathesis/', import.meta.url));

/** Test cases per operation and phase (fuzzing; stateful scenarios). */
const MAX_EXAMPLES = 25;
const SEED = 20261202;
/** A hard limit on the whole Schemathesis run, which takes about a minute on a quiet machine. */
const RUN_LIMIT_MS = 420_000;

/**
 * Every Schemathesis check, on or off (set in the config file: a `--checks` list on the command
 * line would override the per-operation exclusions below).
 */
const CHECKS: Record<string, boolean> = {
  not_a_server_error: true,
  status_code_conformance: true,
  content_type_conformance: true,
  response_schema_conformance: true,
  response_headers_conformance: true,
  // Schema-invalid input gets a 4xx; a required header left out (the Slack signature) is refused.
  negative_data_rejection: true,
  missing_required_header: true,
  // A request without its token is refused (401), whatever the operation.
  ignored_auth: true,
  // A method the document does not list answers 405 with an Allow header of the documented ones.
  unsupported_method: true,
  allow_header_conformance: true,
  // Stateful: what was deleted is gone, what was created can be read.
  use_after_free: true,
  ensure_resource_availability: true,
  // Off: the document's schemas cannot say every rule a body or query must keep (a window's
  // `from` before its `to`, `since` before `until`, an alert source's own payload shape, a
  // playbook's input), so schema-valid requests are refused, rightly and as documented, with 400
  // or 422.
  positive_data_acceptance: false,
  // Off: it needs a second set of credentials per resource owner; Riposte's roles are tested by
  // test/api/permissions.test.ts, and ignored_auth above checks that every operation wants a token.
  object_level_authorization: false,
  // (max_response_time stays unconfigured, so off: no timing assertions in the tests.)
};

/**
 * Operations Schemathesis leaves out, and why. It loads the document from GET /v1/openapi.json
 * and does not test that operation itself (the document being valid JSON and loadable is what
 * every other operation here depends on).
 */
const NOT_TESTED = new Set([
  'GET /v1/openapi.json',
  // An event stream stays open until the client closes it: a request that never completes
  // (test/console/console.test.ts reads it in a browser, test/api/case-events.test.ts over HTTP).
  'GET /v1/events',
]);

/** The operationId of "METHOD /path" in the document. */
function operationIdOf(doc: OpenApiDocument, name: string): string {
  const [method, p] = name.split(' ') as [string, string];
  const id = (doc.paths[p] as Record<string, { operationId?: string }> | undefined)?.[method.toLowerCase()]?.operationId;
  if (!id) throw new Error(`no operation ${name} in the document`);
  return id;
}

interface CheckExclusion {
  operations: string[];
  checks: string[];
  reason: string;
}

/** Checks turned off for some operations, each with why; computed from the document. */
function checkExclusions(doc: OpenApiDocument): CheckExclusion[] {
  const ops = operations(doc);
  const exclusions: CheckExclusion[] = [];

  // Alert sources are read leniently on purpose: a SIEM that sends a number where its format has a
  // string, or fields nobody reads, still has its alert taken — losing an alert over a type is
  // worse than reading `2` as "2" (api/sources/util.ts Reader). The documented schemas describe
  // each vendor's format; they are not a filter. So a body outside them may be accepted.
  const ingest = ops.filter((o) => o.roles.includes('source')).map((o) => o.name);
  if (ingest.length) exclusions.push({ operations: ingest, checks: ['negative_data_rejection'], reason: 'alert sources are read leniently by design: an alert is not refused over a field\'s type' });

  return exclusions;
}

type OpenApiDocument = { paths: Record<string, Record<string, { 'x-riposte-roles'?: string[] }>> };
interface Operation {
  name: string;
  method: string;
  path: string;
  roles: string[];
}

function operations(doc: OpenApiDocument): Operation[] {
  return Object.entries(doc.paths).flatMap(([p, methods]) =>
    Object.entries(methods).map(([m, op]) => ({ name: `${m.toUpperCase()} ${p}`, method: m.toUpperCase(), path: p, roles: op['x-riposte-roles'] ?? [] }))
  );
}

/** Does a concrete path fit an OpenAPI path template, segment by segment (parameters fit any segment)? */
/** The venv `scripts/setup.mjs test` made (throws, saying how to make it, when missing). */
function schemathesisBin(): { bin: string; version: string } {
  const requirements = fs.readFileSync(path.join(fixtures, 'requirements.txt'), 'utf8');
  const version = /^schemathesis==(\S+)$/m.exec(requirements)?.[1];
  if (!version) throw new Error('test/fixtures/schemathesis/requirements.txt pins no schemathesis version');
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  const venv = path.join(base, 'riposte', `schemathesis-${version}`);
  const bin = path.join(venv, 'bin', 'schemathesis');
  const stamp = path.join(venv, 'riposte-requirements.txt');
  if (!fs.existsSync(bin) || !fs.existsSync(stamp) || fs.readFileSync(stamp, 'utf8') !== requirements) {
    throw new Error(`schemathesis ${version} is not installed (${venv}): run \`node scripts/setup.mjs test\``);
  }
  return { bin, version };
}

/** Values Schemathesis draws (half the time) for path parameters, besides ones it makes up. */
interface Known {
  caseId: string;
  alertId: string;
  approvalId: string;
  playbook: string;
  indicatorId: string;
  suppressionId: string;
  userName: string;
}

/** JSON strings, numbers and arrays of them are TOML too (an object would not be). */
const toml = (v: string | number | Array<string | number>): string => JSON.stringify(v);

function configFile(known: Known, exclusions: CheckExclusion[]): string {
  const lines: string[] = ['[cache]', 'enabled = false', '', '[checks]'];
  for (const [check, on] of Object.entries(CHECKS)) lines.push(`${check}.enabled = ${on}`);
  // A body over RIPOSTE_MAX_BODY_BYTES is refused too, with the 413 every body route documents.
  lines.push(`negative_data_rejection.expected-statuses = ${toml(['400', '401', '403', '404', '405', '406', '409', '413', '415', '422', '428', '429', '5xx'])}`);
  lines.push('');
  const dictionaries: Record<string, string> = {
    caseId: known.caseId,
    alertId: known.alertId,
    approvalId: known.approvalId,
    playbook: known.playbook,
    indicatorId: known.indicatorId,
    suppressionId: known.suppressionId,
    userName: known.userName,
  };
  for (const [name, value] of Object.entries(dictionaries)) lines.push(`[dictionaries.${name}]`, `values = ${toml([value])}`, '');
  const bind = (dictionary: string) => `{ dictionary = ${toml(dictionary)}, probability = 0.5 }`;
  lines.push('[parameters]');
  for (const p of ['caseId', 'alertId', 'approvalId', 'playbook']) lines.push(`${toml(`path.${p}`)} = ${bind(p)}`);
  lines.push('');
  const perPath: Array<[string, string, string]> = [
    ['/v1/indicators/{id}', 'id', 'indicatorId'],
    ['/v1/suppressions/{id}', 'id', 'suppressionId'],
    ['/v1/suppressions/{id}/activate', 'id', 'suppressionId'],
    ['/v1/users/{name}/disable', 'name', 'userName'],
    ['/v1/users/{name}/enable', 'name', 'userName'],
    ['/v1/users/{name}/rotate', 'name', 'userName'],
    ['/v1/users/{name}/role', 'name', 'userName'],
  ];
  for (const [p, param, dictionary] of perPath) lines.push('[[operations]]', `include-path = ${toml(p)}`, `parameters.${toml(`path.${param}`)} = ${bind(dictionary)}`, '');
  for (const e of exclusions) {
    lines.push(`# ${e.reason}`, '[[operations]]', `include-name = ${toml(e.operations)}`);
    for (const check of e.checks) lines.push(`checks.${check}.enabled = false`);
    lines.push('');
  }
  return lines.join('\n');
}

interface JunitCase {
  name: string;
  failures: string[];
}

const unescapeXml = (s: string) =>
  s.replace(/&(lt|gt|quot|apos|amp|#x[0-9a-f]+|#\d+);/gi, (_, e: string) =>
    e === 'lt' ? '<' : e === 'gt' ? '>' : e === 'quot' ? '"' : e === 'apos' ? "'" : e === 'amp' ? '&' : String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10))
  );

/** Schemathesis's JUnit report: one testcase per operation (and one for the stateful phase), each with its failures and errors. */
function parseJunit(xml: string): JunitCase[] {
  const cases: JunitCase[] = [];
  for (const m of xml.matchAll(/<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g)) {
    const name = unescapeXml(/\bname="([^"]*)"/.exec(m[1] as string)?.[1] ?? '?');
    const body = m[3] ?? '';
    const failures = [...body.matchAll(/<(failure|error)\b([^>]*?)(?:\/>|>([\s\S]*?)<\/\1>)/g)].map(
      (f) => `${f[1] === 'error' ? '[error] ' : ''}${unescapeXml(f[3] ?? /\bmessage="([^"]*)"/.exec(f[2] as string)?.[1] ?? '')}`.trim()
    );
    cases.push({ name, failures });
  }
  return cases;
}

function runSchemathesis(bin: string, args: string[], cwd: string, env: Record<string, string>): Promise<{ code: number | null; signal: string | null; output: string }> {
  return new Promise((resolve, reject) => {
    // Asynchronously: the API under test answers from this very process.
    const child = spawn(bin, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += String(d)));
    child.stderr.on('data', (d) => (output += String(d)));
    const killer = setTimeout(() => child.kill('SIGKILL'), RUN_LIMIT_MS);
    child.once('error', (err) => (clearTimeout(killer), reject(err)));
    child.once('exit', (code, signal) => (clearTimeout(killer), resolve({ code, signal, output })));
  });
}

describe('API conformance to its OpenAPI document (Schemathesis)', () => {
  let client: Client;
  let closeClient: () => Promise<void>;
  let worker: RunningWorker;
  let api: TestApi;
  let work: string;

  before(async () => {
    ({ client, close: closeClient } = await testClient());
    const taskQueue = uniqueQueue('conformance');
    worker = await startWorker({ taskQueue, deps: { dns: { servers: ['127.0.0.1:9'], timeoutMs: 100 }, tickets: new RecordingTickets(), egress: new RecordingEgress() } });
    // A Slack signing secret, so the Slack route verifies signatures (401) rather than answering
    // 404 "not configured"; nothing calls Slack (no bot token).
    api = await startApi({ client, taskQueue, env: { SLACK_SIGNING_SECRET: 'conformance-test-signing-secret' } });
    work = fs.mkdtempSync(path.join(process.env.RIPOSTE_TEST_TMP ?? os.tmpdir(), 'schemathesis-'));
  });
  after(async () => {
    await api?.close();
    await worker?.stop();
    await closeClient?.();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  /** A case awaiting an approval, an indicator, a suppression and a user, to draw real ids from. */
  async function seed(): Promise<Known> {
    const as = (token: string, method: string, p: string, body?: unknown) => api.request(method, p, { token, ...(body !== undefined ? { body } : {}) });
    const posted = await as(TOKENS.source, 'POST', '/v1/alerts', c2Finding({ uid: 'conformance-seed-1', hostname: 'conformance-1.corp.test', hostIp: '10.97.0.5', remoteIp: '198.51.100.97' }));
    assert.equal(posted.status, 202, JSON.stringify(posted.body));
    const { caseId, alertId } = posted.body as { caseId: string; alertId: string };
    const waiting = await waitFor(() => as(TOKENS.viewer, 'GET', `/v1/cases/${caseId}`), (r) => r.body?.status === 'awaiting_approval', 30_000, 'the seeded case awaits approval');
    const approvalId = (waiting.body.approvals as Array<{ id: string }>)[0]?.id;
    const playbook = (waiting.body.playbooks as Array<{ playbook: string }>)[0]?.playbook;
    assert.ok(approvalId && playbook, JSON.stringify(waiting.body));
    const indicator = await as(TOKENS.analyst, 'POST', '/v1/indicators', { type: 'domain', value: 'conformance.example', description: 'seeded for the conformance run' });
    assert.equal(indicator.status, 201, JSON.stringify(indicator.body));
    const suppression = await as(TOKENS.analyst, 'POST', '/v1/suppressions', { match: { kind: 'ip', value: '203.0.113.97' }, reason: 'seeded for the conformance run' });
    assert.equal(suppression.status, 201, JSON.stringify(suppression.body));
    const user = await as(TOKENS.admin, 'POST', '/v1/users', { name: 'conformance-carol', role: 'analyst' });
    assert.equal(user.status, 201, JSON.stringify(user.body));
    const known: Known = { caseId, alertId, approvalId, playbook, indicatorId: indicator.body.id, suppressionId: suppression.body.id, userName: user.body.user?.name };
    for (const [k, v] of Object.entries(known)) assert.equal(typeof v, 'string', `seeded ${k}`);
    return known;
  }

  it('answers every documented operation as its document says: no 5xx, documented statuses, content types, schemas and headers', { timeout: RUN_LIMIT_MS + 120_000 }, async (t) => {
    const { bin, version } = schemathesisBin();
    const doc = (await api.request('GET', '/v1/openapi.json')).body as OpenApiDocument;
    const known = await seed();
    const exclusions = checkExclusions(doc);
    fs.writeFileSync(path.join(work, 'schemathesis.toml'), configFile(known, exclusions));
    const junit = path.join(work, 'junit.xml');
    const args = [
      '--config-file', path.join(work, 'schemathesis.toml'),
      'run',
      `${api.url}/v1/openapi.json`,
      '--phases', 'examples,coverage,fuzzing,stateful',
      '--max-examples', String(MAX_EXAMPLES),
      '--seed', String(SEED),
      '--generation-deterministic',
      '--workers', '1',
      '--request-timeout', '60',
      // Streams that never complete (NOT_TESTED): left out of the run.
      ...[...NOT_TESTED].filter((o) => o !== 'GET /v1/openapi.json').flatMap((o) => ['--exclude-operation-id', operationIdOf(doc, o)]),
      '--report', 'junit',
      '--report-junit-path', junit,
      // The tokens are the tests' own; reproduction lines are worth more with them in.
      '--output-sanitize', 'false',
      '--no-color',
    ];
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? os.tmpdir(),
      LANG: 'C.UTF-8',
      // No .pyc next to the hooks in the work tree.
      PYTHONDONTWRITEBYTECODE: '1',
      SCHEMATHESIS_HOOKS: path.join(fixtures, 'hooks.py'),
      RIPOSTE_CONFORMANCE_TOKENS: JSON.stringify({ source: TOKENS.source, viewer: TOKENS.viewer, analyst: TOKENS.analyst, admin: TOKENS.admin }),
    };
    const started = Date.now();
    const run = await runSchemathesis(bin, args, work, env);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const tail = run.output.slice(-6000);
    assert.ok(run.signal === null, `schemathesis ${version} was killed (${run.signal}) after ${seconds} s:\n${tail}`);
    assert.ok(fs.existsSync(junit), `schemathesis ${version} exited ${run.code} with no report:\n${tail}`);

    const cases = parseJunit(fs.readFileSync(junit, 'utf8'));
    const failing = cases.filter((c) => c.failures.length > 0);
    const report = failing.map((c) => `━━ ${c.name}\n${c.failures.map((f) => (f.length > 4000 ? `${f.slice(0, 4000)}\n…` : f)).join('\n\n')}`).join('\n\n');
    assert.equal(failing.length, 0, `schemathesis ${version}: ${failing.length} operation(s) do not conform to the OpenAPI document:\n\n${report}`);
    assert.equal(run.code, 0, `schemathesis ${version} exited ${run.code} with no failure in its report:\n${tail}`);

    t.diagnostic(`schemathesis ${version}: ${cases.filter((c) => c.name !== 'Stateful tests').length} operations, ${/Test cases:\s*\n\s*(.+)/.exec(run.output)?.[1]?.trim() ?? '?'} in ${seconds} s`);
    for (const e of exclusions) t.diagnostic(`off (TODO(conformance)): ${e.checks.join(', ')} for ${e.operations.length} operation(s): ${e.reason}`);

    // Every documented operation was tested (none silently left out).
    const tested = new Set(cases.map((c) => c.name));
    const missing = operations(doc).map((o) => o.name).filter((n) => !tested.has(n) && !NOT_TESTED.has(n));
    assert.deepEqual(missing, [], `operations schemathesis did not test:\n${tail}`);
  });
});
