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
