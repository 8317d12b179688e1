// A loopback stand-in for Jira Cloud REST v3, built from Atlassian's documented request and
// response shapes, for tests where the worker runs in another process (nock cannot reach
// it there). It records every issue and comment so tests can count side effects.
import type { AddressInfo } from 'node:net';
import express from 'express';

export interface FakeIssue { id: string; key: string; fields: Record<string, any> }
export interface FakeComment { id: string; issueKey: string; body: any; properties: Array<{ key: string; value: any }> }

export interface FakeJira {
  baseUrl: string;
  email: string;
  token: string;
  issues: FakeIssue[];
  comments: FakeComment[];
  /** Idempotency keys of the comments posted, in order (one entry per comment actually created). */
  commentKeys(): string[];
  /** Called after a comment is stored and before the response is sent; may delay or never resolve. */
  beforeCommentResponse?: (c: FakeComment) => Promise<void>;
  close(): Promise<void>;
}

export async function startFakeJira(): Promise<FakeJira> {
  const email = 'soc@acme.test';
  const token = 'fake-jira-token-0123456789';
  const expected = `Basic ${Buffer.from(`${email}:${token}`).toString('base64')}`;
  const state: FakeJira = {
    baseUrl: '',
    email,
    token,
    issues: [],
    comments: [],
    commentKeys: () => state.comments.map((c) => c.properties.find((p) => p.key === 'riposte')?.value?.idempotencyKey),
    close: async () => undefined,
  };
  const app = express();
  app.use(express.json({ limit: '1mb' }));
  app.use((req, res, next) => (req.get('authorization') === expected ? next() : res.status(401).json({ errorMessages: ['Unauthorized'] })));

  app.post('/rest/api/3/search/jql', (req, res) => {
    const label = /^labels = "([^"]+)"$/.exec(String(req.body?.jql ?? ''))?.[1];
    if (!label) return void res.status(400).json({ errorMessages: ['Unsupported JQL in this stand-in'] });
    const issues = state.issues.filter((i) => i.fields.labels?.includes(label)).slice(0, req.body.maxResults ?? 50);
    res.json({ issues: issues.map((i) => ({ id: i.id, key: i.key, fields: { summary: i.fields.summary } })), isLast: true });
  });
  app.post('/rest/api/3/issue', (req, res) => {
    const f = req.body?.fields;
    if (!f?.project?.key || !f?.issuetype?.name || !f?.summary) return void res.status(400).json({ errorMessages: [], errors: { summary: 'required' } });
    const id = String(10000 + state.issues.length + 1);
    const issue = { id, key: `${f.project.key}-${state.issues.length + 1}`, fields: f };
    state.issues.push(issue);
    res.status(201).json({ id, key: issue.key, self: `${state.baseUrl}/rest/api/3/issue/${id}` });
  });
  app.get('/rest/api/3/issue/:key/comment', (req, res) => {
    const all = state.comments.filter((c) => c.issueKey === req.params.key);
    const startAt = Number(req.query.startAt ?? 0);
    const max = Number(req.query.maxResults ?? 50);
    res.json({ startAt, maxResults: max, total: all.length, comments: all.slice(startAt, startAt + max).map((c) => ({ id: c.id, body: c.body })) });
  });
  app.post('/rest/api/3/comment/list', (req, res) => {
    const ids = new Set((req.body?.ids ?? []).map(String));
    const values = state.comments.filter((c) => ids.has(c.id)).map((c) => ({ id: c.id, body: c.body, ...(req.query.expand === 'properties' ? { properties: c.properties } : {}) }));
    res.json({ values, isLast: true, maxResults: 1000, startAt: 0, total: values.length });
  });
  app.post('/rest/api/3/issue/:key/comment', async (req, res) => {
    if (!state.issues.some((i) => i.key === req.params.key)) return void res.status(404).json({ errorMessages: ['Issue does not exist'] });
    const comment = { id: String(500 + state.comments.length), issueKey: req.params.key, body: req.body?.body, properties: req.body?.properties ?? [] };
    state.comments.push(comment);
    await state.beforeCommentResponse?.(comment);
    res.status(201).json({ id: comment.id, body: comment.body });
  });

  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  state.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}
