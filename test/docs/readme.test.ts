// The README's alert-source section is generated from the adapters; it must match them, and
// every example in it must be accepted by its source's adapter.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import { readPayload } from '../../api/ingest/accept.ts';
import { sourceByName } from '../../api/sources/index.ts';
import { README, renderReadme } from '../../scripts/docs.ts';

describe('README', () => {
  const text = fs.readFileSync(README, 'utf8');

  it('documents every alert source as the code has it (run `npm run docs` after changing an adapter)', () => {
    assert.equal(text, renderReadme(text));
  });

  it('shows for each source an example its adapter reads without error', () => {
    const examples = [...text.matchAll(/<code>([a-z]+)<\/code> example<\/summary>\s+```json\n([\s\S]*?)\n```/g)];
    assert.ok(examples.length >= 11, `found ${examples.length} examples`);
    for (const [, name, json] of examples) {
      const adapter = sourceByName(name as string);
      assert.ok(adapter, `no adapter ${name}`);
      const read = readPayload(adapter, json as string);
      assert.ok('items' in read, `${name}: ${JSON.stringify(read)}`);
      for (const item of read.items) assert.ok(!('errors' in item), `${name}: ${JSON.stringify(item)}`);
    }
  });
});

describe('README and docs name every public surface', () => {
  const text = fs.readFileSync(README, 'utf8');

  it('lists every activity, workflow type and playbook setting variable the code has', async () => {
    const { CAPABILITIES, INTEGRATIONS } = await import('../../activities/catalog.ts');
    const workflows = await import('../../workflows/index.ts');
    const { PLAYBOOKS } = await import('../../workflows/playbooks/index.ts');
    const { playbookInfo } = await import('../../workflows/playbook.ts');
    for (const a of [...INTEGRATIONS, ...CAPABILITIES].flatMap((i) => i.activities)) assert.ok(text.includes(`\`${a}\``), `README: activity ${a}`);
    for (const w of Object.keys(workflows)) assert.ok(text.includes(`\`${w}\``), `README: workflow type ${w}`);
    for (const p of PLAYBOOKS) {
      const page = fs.readFileSync(new URL(`../../docs/playbooks/${p.meta.name}.md`, import.meta.url), 'utf8');
      assert.ok(text.includes(`docs/playbooks/${p.meta.name}.md`), `README links ${p.meta.name}`);
      for (const s of playbookInfo(p.meta, p.workflowType).settings) assert.ok(page.includes(s.env), `docs/playbooks/${p.meta.name}.md: ${s.env}`);
      for (const id of Object.keys(p.meta.approvals)) assert.ok(page.includes(id), `docs/playbooks/${p.meta.name}.md: approval ${id}`);
    }
  });
});
