// Property-based fuzzing of every ingest endpoint (fast-check): arbitrary JSON, mutated
// real payloads, arbitrary bytes. The API answers each with a 2xx or a 4xx — never a 5xx —
// and stays up; no payload pollutes object prototypes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { Client } from '@temporalio/client';
import { SOURCES } from '../../api/sources/index.ts';
import { startApi, TOKENS, type TestApi } from '../helpers/api.ts';
import { testClient, uniqueQueue } from '../helpers/temporal.ts';

const ENDPOINTS = ['/v1/alerts', ...SOURCES.map((s) => `/v1/alerts/${s.name}`)];
const ALLOWED = new Set([202, 400, 409, 413, 415, 422]);

describe('fuzzing the ingest endpoints', () => {
  let client: Client;
  let close: () => Promise<void>;
  let api: TestApi;

  before(async () => {
    ({ client, close } = await testClient());
    api = await startApi({ client, taskQueue: uniqueQueue('fuzz'), maxBodyBytes: 32 * 1024 });
    await api.dispatcher.stop(); // what is accepted waits in the outbox; nothing needs to run
  });
  after(async () => {
    await api?.close();
    await close?.();
  });

  const post = (endpoint: string, raw: string | Buffer, contentType = 'application/json') =>
    api.request('POST', endpoint, { token: TOKENS.source, raw, headers: { 'content-type': contentType } });
  const check = (status: number, what: string) => assert.ok(ALLOWED.has(status), `${what} → ${status}`);

  it('arbitrary JSON values', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ENDPOINTS), fc.jsonValue({ maxDepth: 6 }), async (endpoint, value) => {
        const res = await post(endpoint, JSON.stringify(value) ?? 'null');
        check(res.status, `${endpoint} ${JSON.stringify(value).slice(0, 200)}`);
      }),
      { numRuns: 400 }
    );
  });

  it('real payloads with one field replaced by anything', async () => {
    const paths = (v: unknown, prefix: string[] = []): string[][] =>
      v && typeof v === 'object' ? Object.entries(v).flatMap(([k, x]) => [[...prefix, k], ...paths(x, [...prefix, k])]) : [];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...SOURCES), fc.nat(), fc.jsonValue({ maxDepth: 3 }), async (source, pick, value) => {
        const payload = structuredClone(source.example) as Record<string, unknown>;
        const all = paths(payload);
        const target = all[pick % all.length] as string[];
        let node = payload as Record<string, unknown>;
        for (const key of target.slice(0, -1)) node = node[key] as Record<string, unknown>;
        node[target.at(-1) as string] = value;
        const res = await post(`/v1/alerts/${source.name}`, JSON.stringify(payload));
        check(res.status, `${source.name} with ${target.join('.')} = ${JSON.stringify(value).slice(0, 100)}`);
      }),
      { numRuns: 600 }
    );
  });

  it('arbitrary bytes, text and content types', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ENDPOINTS),
        fc.oneof(fc.string({ maxLength: 300 }), fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b))),
        fc.constantFrom('application/json', 'application/x-ndjson', 'text/plain', 'application/octet-stream'),
        async (endpoint, body, type) => check((await post(endpoint, body, type)).status, `${endpoint} ${type}`)
      ),
      { numRuns: 400 }
    );
  });

  it('deep nesting, huge fields and prototype keys are refused or stored harmlessly', async () => {
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    for (const endpoint of ENDPOINTS) {
      check((await post(endpoint, deep)).status, `${endpoint} deep nesting`);
      check((await post(endpoint, JSON.stringify({ x: 'y'.repeat(100 * 1024) }))).status, `${endpoint} a huge field`);
      check((await post(endpoint, '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}')).status, `${endpoint} prototype keys`);
    }
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal((await api.request('GET', '/v1/health')).status, 200, 'still up');
  });
});
