// `npm run playbook -- new <name>`: a new playbook as one file, its test and its doc page, and its
// line in the library. The files it writes work as they are — a small, complete response (enrich,
// decide, ask, block, report) routed on the alert's rule id — for the engineer to turn into theirs.
import fs from 'node:fs';
import path from 'node:path';

export const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+){0,5}$/;

/** kebab-case → lowerCamelCase */
export function camel(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

export interface Scaffolded {
  files: string[];
  workflowType: string;
}

export function scaffold(root: string, name: string): Scaffolded {
  if (!NAME.test(name)) throw new Error(`a playbook name is kebab-case, like lateral-movement (got "${name}")`);
  const id = camel(name);
  const workflowType = `${id}Playbook`;
  const files = {
    [`workflows/playbooks/${name}.ts`]: playbookSource(name, id, workflowType),
    [`test/workflows/${name}.test.ts`]: testSource(name, workflowType),
    [`docs/playbooks/${name}.md`]: docSource(name, workflowType),
  };
  for (const f of Object.keys(files)) if (fs.existsSync(path.join(root, f))) throw new Error(`${f} exists already`);
  const library = path.join(root, 'workflows/playbooks/index.ts');
  const types = path.join(root, 'workflows/index.ts');
  const lib = fs.readFileSync(library, 'utf8');
  const idx = fs.readFileSync(types, 'utf8');
  const entryAt = lib.lastIndexOf('];');
  if (entryAt < 0 || !lib.includes('export const PLAYBOOKS')) throw new Error('workflows/playbooks/index.ts has no PLAYBOOKS list to add to');
  for (const [f, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
    fs.writeFileSync(path.join(root, f), text);
  }
  const importLine = `import { ${id}, ${workflowType} } from './${name}.ts';\n`;
  const withImport = lib.replace(/(\nexport interface PlaybookEntry)/, `${importLine}$1`);
  fs.writeFileSync(library, `${withImport.slice(0, withImport.lastIndexOf('];'))}  { meta: ${id}, workflowType: '${workflowType}', workflow: ${workflowType} },\n${withImport.slice(withImport.lastIndexOf('];'))}`);
  fs.writeFileSync(types, `${idx.trimEnd()}\nexport { ${workflowType} } from './playbooks/${name}.ts';\n`);
  return { files: [...Object.keys(files), 'workflows/playbooks/index.ts', 'workflows/index.ts'], workflowType };
}

function playbookSource(name: string, id: string, workflowType: string): string {
  return `// Runs in the Temporal sandbox: no I/O, no Node APIs, no environment access.
//
// ${name}: say here, in a sentence or two, what happened and how this playbook responds.
// Scaffolded by \`npm run playbook -- new ${name}\`; see docs/playbooks.md for the kit.
import { alertHost, alertRemote, type NativeAlert, type Observable } from '../../core/alert.ts';
import type { PlaybookView } from '../../core/case.ts';
import { assessC2V2 } from '../../core/verdict.ts';
import { applyContainment, describePlanned, planContainment } from '../blocks/contain.ts';
import { enrich, resolvedAddresses } from '../blocks/enrich.ts';
import { now } from '../blocks/case-record.ts';
import { caseReport } from '../blocks/report.ts';
import type { PlaybookInput } from '../definitions.ts';
import { APPROVAL_SETTINGS, definePlaybook, runPlaybook, type PlaybookRun } from '../playbook.ts';

export const ${id} = definePlaybook({
  name: '${name}',
  title: '${name.replace(/-/g, ' ')}',
  version: 1,
  description: 'Describe the response in one paragraph: what starts it, what it finds out, what it asks, what it changes, and how that is undone.',
  route: {
    description: 'alerts whose rule id is "${name}"',
    matches: (a: NativeAlert) => a.rule?.uid === '${name}',
  },
  // The indicators it responds to: a later alert with new ones grows the run (or starts another).
  indicators: (a: NativeAlert): Observable[] => alertRemote(a).ips.map((value) => ({ type: 'ip' as const, value, role: 'dst' as const })),
  settings: { ...APPROVAL_SETTINGS },
  approvals: { 'contain-egress': 'block egress from the host to the remote addresses' },
  sideEffects: ['ticket', 'notify', 'page', 'contain:egress'],
});

export async function ${workflowType}(input: PlaybookInput): Promise<PlaybookView> {
  return runPlaybook(${id}, input, respond);
}

async function respond(run: PlaybookRun<keyof typeof ${id}.settings>): Promise<void> {
  const { record, settings } = run;
  const remote = run.round.indicators;

  // 1. Enrich what the alert names.
  const { outcomes } = await enrich(run, remote);

  // 2. Decide (a pure function: write your own beside this one, versioned like the code).
  const assessment = assessC2V2(outcomes, record.view.severity_id);
  record.assess(assessment);
  record.note('verdict', \`\${assessment.level}, score \${assessment.score}: \${assessment.reasons.join('; ') || 'no findings'}\`);
  await run.ticket.open(\`[Riposte] ${name}: \${record.view.title}\`, caseReport(record.view, now()));
  if (!assessment.askToContain) return record.note('approval', 'not asked: the verdict does not call for containment');

  // 3. Ask before acting (targets on the never-contain list are refused first).
  const host = alertHost(run.input.alert).ip;
  const addresses = [...new Set([...remote.map((r) => r.value), ...resolvedAddresses(outcomes)])];
  const plan = await planContainment(run, [{ kind: 'egress', op: 'block-egress', target: addresses.join(', '), params: { ...(host ? { from: host } : {}), to: addresses } }]);
  if (plan.length === 0) return record.note('approval', 'not asked: nothing left to block');
  const decision = await run.approvals.ask({ id: 'contain-egress', action: \`block egress\${host ? \` from \${host}\` : ''} to \${addresses.join(', ')}\`, reason: assessment.reasons.join('; '), targets: plan.map(describePlanned), timeout: settings.approvalTimeout });
  const act = decision.status === 'approved' || (decision.status === 'timed_out' && settings.onApprovalTimeout === 'contain');
  if (!act) return;

  // 4. Act: each action is recorded with its undo.
  await applyContainment(run, plan, { approval: decision });
}
`;
}

function testSource(name: string, workflowType: string): string {
  return `// ${name} on the real Temporal dev server. Scaffolded by \`npm run playbook -- new ${name}\`:
// add the tests your response needs (rejection, approval timeout, a provider failing, a retried
// side effect acting once — see test/workflows/suspected-c2.test.ts).
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { c2Alert, playbookInput } from '../helpers/alerts.ts';
import { startPlaybookHarness, type PlaybookHarness } from '../helpers/playbooks.ts';

const alert = () => ({ ...c2Alert({ remoteIp: '203.0.113.7', severity_id: 4 }), rule: { name: '${name}', uid: '${name}' } });

describe('${name} playbook', () => {
  let pb: PlaybookHarness;
  afterEach(() => pb?.stop());

  it('asks before blocking, and blocks once approved', async () => {
    pb = await startPlaybookHarness('${name}');
    const h = await pb.start('${workflowType}', playbookInput(alert()));
    const waiting = await pb.awaitingApproval(h);
    assert.match(waiting.approvals[0]?.action ?? '', /203\\.0\\.113\\.7/);
    await pb.decide(h, 'contain-egress', 'approve');
    const done = await pb.result(h);
    assert.equal(done.status, 'contained');
    assert.deepEqual(pb.egress.blocks.map((b) => b.addresses), [['203.0.113.7']]);
  });

  it('a dry run changes nothing and says what it would do', async () => {
    pb = await startPlaybookHarness('${name}');
    const done = await pb.result(await pb.start('${workflowType}', { ...playbookInput(alert()), dryRun: { approvals: 'approve' } }));
    assert.equal(pb.egress.blocks.length, 0);
    assert.ok(done.actions?.every((a) => a.simulated));
  });
});
`;
}

function docSource(name: string, workflowType: string): string {
  return `# Playbook: ${name}

\`${workflowType}\` — [workflows/playbooks/${name}.ts](../../workflows/playbooks/${name}.ts).
Workflow ID \`${name}-<caseId>\` (then \`-run2\` …). Scaffolded; describe it as docs/playbooks/suspected-c2.md does.

## Route
Alerts whose rule id is \`${name}\`.

## Steps
| # | Step | Block / activities | Timeline / ticket |
|---|---|---|---|
| 1 | Enrich the remote addresses | \`enrich\` → \`enrichmentLookup\` | \`enrich\` |
| 2 | Decide | \`assessC2V2\` | \`verdict\` |
| 3 | Ask | approval \`contain-egress\` | \`approval\` |
| 4 | Block egress | \`contain\` → \`containmentApply\` (undo \`unblock-egress\`) | \`contain\` |

## Settings
| Setting | Variable | Default |
|---|---|---|
| approvalTimeout | \`RIPOSTE_${name.replace(/-/g, '_').toUpperCase()}_APPROVAL_TIMEOUT\` | 30m |
| onApprovalTimeout | \`RIPOSTE_${name.replace(/-/g, '_').toUpperCase()}_ON_APPROVAL_TIMEOUT\` | none |
`;
}
