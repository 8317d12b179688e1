// GET /v1/events: the stream of changed cases the console follows — a new alert's case at once,
// a fact in the case record (a playbook step, a comment) within about a second; people only.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CaseEvents } from '../../api/case-events.ts';
import type { CaseRecordStore } from '../../store/case-record.ts';
import { c2Finding } from '../helpers/alerts.ts';
import { startApi, TOKENS, type TestApi } from '../helpers/api.ts';
import { testClient, uniqueQueue } from '../helpers/temporal.ts';

/** An open event stream: the `cases` events it has carried so far. */
async function openStream(url: string, token: string): Promise<{ status: number; contentType: string | null; told: () => string[][]; close(): void }> {
  const abort = new AbortController();
  const res = await fetch(`${url}/v1/events`, { headers: { authorization: `Bearer ${token}` }, signal: abort.signal });
  const told: string[][] = [];
  if (res.ok && res.body) {
    void (async () => {
      const decoder = new TextDecoder();
      let buffer = '';
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          buffer += decoder.decode(chunk, { stream: true });
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = /^event: cases\ndata: (.*)$/m.exec(block)?.[1];
            if (data) told.push((JSON.parse(data) as { caseIds: string[] }).caseIds);
          }
        }
      } catch {
        // closed by the test
      }
    })();
  }
  return { status: res.status, contentType: res.headers.get('content-type'), told: () => told, close: () => abort.abort() };
}

async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('GET /v1/events', () => {
  let api: TestApi;
  let closeClient: () => Promise<void>;
  before(async () => {
    const { client, close } = await testClient();
    closeClient = close;
    api = await startApi({ client, taskQueue: uniqueQueue('events') });
  });
  after(async () => {
    await api?.close();
    await closeClient?.();
  });

  it('tells a new alert’s case at once and a case-record fact soon after; refuses sources and strangers', async () => {
    const stream = await openStream(api.url, TOKENS.viewer);
    try {
      assert.equal(stream.status, 200);
      assert.match(stream.contentType ?? '', /^text\/event-stream/);
      // The first read of the record learns where it stands: give it that second.
      await new Promise((r) => setTimeout(r, 1200));

      const posted = await api.request('POST', '/v1/alerts', { token: TOKENS.source, body: c2Finding({ uid: `events-${Date.now()}`, hostIp: '10.78.0.1', remoteIp: '198.51.100.78' }) });
      assert.equal(posted.status, 202);
      const caseId = posted.body.caseId as string;
      await until(() => stream.told().some((ids) => ids.includes(caseId)), 2000, 'the new case told');

      const before = stream.told().length;
      await api.record.append(caseId, [{ key: `${caseId}:comment:events-test`, at: new Date().toISOString(), kind: 'comment.added', actor: 'alice', data: { text: 'looking' } }]);
      await until(() => stream.told().slice(before).some((ids) => ids.includes(caseId)), 5000, 'the record fact told');
      // Told once: the next reads look back over it and stay quiet about it.
      await new Promise((r) => setTimeout(r, 2500));
      assert.equal(stream.told().slice(before).filter((ids) => ids.includes(caseId)).length, 1, `told once: ${JSON.stringify(stream.told())}`);
    } finally {
      stream.close();
    }
    const source = await openStream(api.url, TOKENS.source);
    assert.equal(source.status, 403, 'a source token reads no cases');
    source.close();
    const stranger = await openStream(api.url, 'not-a-token-0123456789');
    assert.equal(stranger.status, 401);
    stranger.close();
  });
});

describe('CaseEvents: reading the record', () => {
  it('tells a fact that commits late under a lower number (PostgreSQL), and each change once', async () => {
    // The record as PostgreSQL can show it: 12 visible before 11 commits.
    const facts: Array<{ caseId: string; seq: number }> = [{ caseId: 'cs_old', seq: 10 }];
    const record = {
      async changedSince(seq: number | undefined, limit: number) {
        const newest = Math.max(...facts.map((f) => f.seq));
        if (seq === undefined) return { seq: newest, changes: [] };
        const byCase = new Map<string, number>();
        for (const f of facts) if (f.seq > seq) byCase.set(f.caseId, Math.max(f.seq, byCase.get(f.caseId) ?? 0));
        const changes = [...byCase].map(([caseId, s]) => ({ caseId, seq: s })).sort((x, y) => x.seq - y.seq).slice(0, limit);
        return { seq: Math.max(seq, ...changes.map((c) => c.seq)), changes };
      },
    };
    const events = new CaseEvents({ record: record as unknown as CaseRecordStore, logger: { warn: () => {} }, everyMs: 20 });
    const told: string[][] = [];
    const stop = events.subscribe((ids) => told.push(ids));
    const settle = () => new Promise((r) => setTimeout(r, 120));
    await settle();
    assert.deepEqual(told, [], 'what was there before anyone listened is not told');
    facts.push({ caseId: 'cs_a', seq: 12 });
    await settle();
    facts.push({ caseId: 'cs_b', seq: 11 }); // committed after 12 was read
    await settle();
    facts.push({ caseId: 'cs_a', seq: 13 });
    await settle();
    stop();
    assert.deepEqual(told, [['cs_a'], ['cs_b'], ['cs_a']], 'each change told once, the late one too');
    assert.equal(events.listening, 0);
  });
});
