// The chaos suite's loopback peers (scripts/chaos.ts): VirusTotal, AbuseIPDB, Jira Cloud and
// CrowdStrike Falcon on one HTTP server, each under its own prefix, answering in the vendors'
// documented shapes (the same shapes the integration tests use) and recording every call that
// changes something, keyed on what the vendor itself would dedupe on:
//   - Jira issue:    the idempotency label Riposte puts on it (riposte-<key hash>);
//   - Jira comment:  (issue, the `riposte` entity property's idempotencyKey);
//   - Falcon:        a `contain` action per device (Riposte reads the device's state first, so a
//                    second contain of the same device is a duplicate side effect);
//   - lookups (VirusTotal, AbuseIPDB): reads, counted, repeats allowed.
// Writes are recorded when they arrive and answered after a random delay (up to `writeDelayMs`),
// which widens the window in which a killed worker has done a side effect but not heard the answer.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../test/fixtures');
const fixture = <T>(name: string): T => JSON.parse(fs.readFileSync(path.join(fixtures, name), 'utf8')) as T;

export type PeerOp = 'jira.issue' | 'jira.comment' | 'falcon.contain' | 'virustotal.lookup' | 'abuseipdb.lookup';

/** One call that reached a peer (writes and lookups), in arrival order. */
export interface PeerEvent {
  at: number;
  op: PeerOp;
  /** What the vendor dedupes on (label, issue + idempotency key, device id) or the looked-up value. */
  key: string;
  /** The case it belongs to, when the call says (label, idempotency key, hostname). */
  caseId?: string;
  /** How many times this key had been seen, this one included. */
  nth: number;
}

export interface JiraIssue { id: string; key: string; fields: { labels?: string[]; summary?: string; [k: string]: unknown } }
export interface JiraComment { id: string; issueKey: string; body: unknown; properties: Array<{ key: string; value: unknown }> }

export interface ChaosPeers {
  /** http://127.0.0.1:<port> */
  url: string;
  /** The worker's configuration for these peers, as an operator would set it. */
  env: Record<string, string>;
  events: PeerEvent[];
  jira: { issues: JiraIssue[]; comments: JiraComment[] };
  falcon: { devices: Map<string, { hostname: string; status: string; contains: number; lifts: number }> };
  /** The Falcon device id a hostname resolves to here. */
  deviceId(hostname: string): string;
  /** Keys seen more than once, per write operation (duplicates). */
  duplicates(): Array<{ op: PeerOp; key: string; count: number; caseId?: string }>;
  counts(): Record<PeerOp, number>;
  close(): Promise<void>;
}

const JIRA = { email: 'soc@chaos.test', token: 'chaos-jira-token-0123456789', project: 'SEC' };
const FALCON = { clientId: 'chaos-falcon-client', secret: 'chaos-falcon-secret-0123456789', token: 'chaos-falcon-token' };
const VT_KEY = 'chaos-vt-key-0123456789';
const ABUSE_KEY = 'chaos-abuseipdb-key-0123456789';

/** The case a Riposte idempotency key or label names (`<playbook>-cs_<16 hex>…` or `riposte-case-cs_…`). */
function caseOf(text: string): string | undefined {
  return /(cs_[0-9a-f]{16})/.exec(text)?.[1];
}

export async function startChaosPeers(o: { writeDelayMs?: number; random?: () => number } = {}): Promise<ChaosPeers> {
  const random = o.random ?? Math.random;
  const writeDelay = () => new Promise((r) => setTimeout(r, Math.floor(random() * (o.writeDelayMs ?? 0))));
  const seen = new Map<string, number>();
  const events: PeerEvent[] = [];
  const record = (op: PeerOp, key: string, caseId?: string) => {
    const id = `${op}\n${key}`;
    const nth = (seen.get(id) ?? 0) + 1;
    seen.set(id, nth);
    events.push({ at: Date.now(), op, key, ...(caseId ? { caseId } : {}), nth });
  };
  const issues: JiraIssue[] = [];
  const comments: JiraComment[] = [];
  const devices = new Map<string, { hostname: string; status: string; contains: number; lifts: number }>();
  const deviceId = (hostname: string) => createHash('sha256').update(hostname.toLowerCase()).digest('hex').slice(0, 32);

  const app = express();
  app.use(express.json({ limit: '2mb' }));
  app.use(express.urlencoded({ extended: false }));

  // ---- VirusTotal v3: every file and address is malicious (the playbooks ask to contain) -------
  const vt = express.Router();
  vt.use((req, res, next) => (req.get('x-apikey') === VT_KEY ? next() : res.status(401).json({ error: { code: 'WrongCredentialsError', message: 'Wrong API key' } })));
  vt.get('/files/:hash', (req, res) => {
    record('virustotal.lookup', `file:${req.params.hash}`);
    const body = fixture<{ data: { id: string; attributes: Record<string, unknown> } }>('malware/virustotal-file-malicious.json');
    body.data.id = req.params.hash;
    body.data.attributes.sha256 = req.params.hash;
    res.json(body);
  });
  vt.get('/ip_addresses/:ip', (req, res) => {
    record('virustotal.lookup', `ip:${req.params.ip}`);
    res.json({
      data: {
        id: req.params.ip,
        type: 'ip_address',
        links: { self: `https://www.virustotal.com/api/v3/ip_addresses/${req.params.ip}` },
        attributes: { last_analysis_date: Math.floor(Date.now() / 1000) - 3600, last_analysis_stats: { harmless: 50, malicious: 9, suspicious: 1, undetected: 30, timeout: 0 }, reputation: -40, tags: [], country: 'ZZ', as_owner: 'Example Hosting' },
      },
    });
  });
  vt.get('/domains/:domain', (req, res) => {
    record('virustotal.lookup', `domain:${req.params.domain}`);
    res.status(404).json({ error: { code: 'NotFoundError', message: `Domain "${req.params.domain}" not found` } });
  });
  vt.get('/urls/:id', (req, res) => {
    record('virustotal.lookup', `url:${req.params.id}`);
    res.status(404).json({ error: { code: 'NotFoundError', message: 'URL not found' } });
  });
  app.use('/virustotal', vt);

  // ---- AbuseIPDB v2 ----------------------------------------------------------------------------
  app.get('/abuseipdb/check', (req, res) => {
    if (req.get('key') !== ABUSE_KEY) return void res.status(401).json({ errors: [{ detail: 'Authentication failed.', status: 401 }] });
    const ip = String(req.query.ipAddress ?? '');
    record('abuseipdb.lookup', ip);
    const body = fixture<{ data: Record<string, unknown> }>('abuseipdb/check-malicious.json');
    body.data.ipAddress = ip;
    res.json(body);
  });

  // ---- Jira Cloud REST v3 -----------------------------------------------------------------------
  const jira = express.Router();
  const basic = `Basic ${Buffer.from(`${JIRA.email}:${JIRA.token}`).toString('base64')}`;
  jira.use((req, res, next) => (req.get('authorization') === basic ? next() : res.status(401).json({ errorMessages: ['Unauthorized'] })));
  jira.post('/rest/api/3/search/jql', (req, res) => {
    const label = /^labels = "([^"]+)"$/.exec(String(req.body?.jql ?? ''))?.[1];
    if (!label) return void res.status(400).json({ errorMessages: ['Unsupported JQL in this stand-in'] });
    const found = issues.filter((i) => i.fields.labels?.includes(label)).slice(0, Number(req.body?.maxResults ?? 50));
    res.json({ issues: found.map((i) => ({ id: i.id, key: i.key, fields: { summary: i.fields.summary } })), isLast: true });
  });
  jira.post('/rest/api/3/issue', async (req, res) => {
    const f = req.body?.fields;
    if (!f?.project?.key || !f?.issuetype?.name || !f?.summary) return void res.status(400).json({ errorMessages: [], errors: { summary: 'required' } });
    const id = String(10000 + issues.length + 1);
    const issue: JiraIssue = { id, key: `${f.project.key}-${issues.length + 1}`, fields: f };
    issues.push(issue);
    const labels: string[] = Array.isArray(f.labels) ? f.labels : [];
    const idem = labels.find((l) => l.startsWith('riposte-') && !l.startsWith('riposte-case-')) ?? `(no label) ${issue.key}`;
    record('jira.issue', idem, caseOf(labels.find((l) => l.startsWith('riposte-case-')) ?? ''));
    await writeDelay();
    res.status(201).json({ id, key: issue.key, self: `${state.url}/jira/rest/api/3/issue/${id}` });
  });
  jira.get('/rest/api/3/issue/:key/comment', (req, res) => {
    const all = comments.filter((c) => c.issueKey === req.params.key);
    const startAt = Number(req.query.startAt ?? 0);
    const max = Number(req.query.maxResults ?? 50);
    res.json({ startAt, maxResults: max, total: all.length, comments: all.slice(startAt, startAt + max).map((c) => ({ id: c.id, body: c.body })) });
  });
  jira.post('/rest/api/3/comment/list', (req, res) => {
    const ids = new Set(((req.body?.ids ?? []) as unknown[]).map(String));
    const values = comments.filter((c) => ids.has(c.id)).map((c) => ({ id: c.id, body: c.body, ...(req.query.expand === 'properties' ? { properties: c.properties } : {}) }));
    res.json({ values, isLast: true, maxResults: 1000, startAt: 0, total: values.length });
  });
  jira.post('/rest/api/3/issue/:key/comment', async (req, res) => {
    if (!issues.some((i) => i.key === req.params.key)) return void res.status(404).json({ errorMessages: ['Issue does not exist'] });
    const comment: JiraComment = { id: String(500 + comments.length), issueKey: req.params.key, body: req.body?.body, properties: req.body?.properties ?? [] };
    comments.push(comment);
    const idem = (comment.properties.find((p) => p.key === 'riposte')?.value as { idempotencyKey?: string } | undefined)?.idempotencyKey ?? `(no key) ${comment.id}`;
    record('jira.comment', `${comment.issueKey} ${idem}`, caseOf(idem));
    await writeDelay();
    res.status(201).json({ id: comment.id, body: comment.body });
  });
  app.use('/jira', jira);

  // ---- CrowdStrike Falcon: OAuth2, Hosts --------------------------------------------------------
  const falcon = express.Router();
  falcon.post('/oauth2/token', (req, res) => {
    if (req.body?.client_id !== FALCON.clientId || req.body?.client_secret !== FALCON.secret) return void res.status(401).json({ errors: [{ code: 401, message: 'access denied, invalid client' }] });
    res.status(201).json({ access_token: FALCON.token, token_type: 'bearer', expires_in: 1799 });
  });
  falcon.use((req, res, next) => (req.get('authorization') === `Bearer ${FALCON.token}` ? next() : res.status(401).json({ errors: [{ code: 401, message: 'access denied, authorization failed' }] })));
  falcon.get('/devices/queries/devices/v1', (req, res) => {
    const hostname = /^hostname:'([^']+)'$/.exec(String(req.query.filter ?? ''))?.[1];
    if (!hostname) return void res.status(400).json({ errors: [{ code: 400, message: 'invalid filter' }], resources: [] });
    const id = deviceId(hostname);
    if (!devices.has(id)) devices.set(id, { hostname, status: 'normal', contains: 0, lifts: 0 });
    res.json({ meta: {}, resources: [id], errors: [] });
  });
  falcon.get('/devices/entities/devices/v2', (req, res) => {
    const ids = String(req.query.ids ?? '').split(',').filter(Boolean);
    res.json({ meta: {}, resources: ids.flatMap((id) => (devices.has(id) ? [{ device_id: id, hostname: devices.get(id)?.hostname, status: devices.get(id)?.status }] : [])), errors: [] });
  });
  falcon.post('/devices/entities/devices-actions/v2', async (req, res) => {
    const action = String(req.query.action_name ?? '');
    const ids = ((req.body?.ids ?? []) as unknown[]).map(String);
    if (!['contain', 'lift_containment'].includes(action) || ids.length === 0) return void res.status(400).json({ errors: [{ code: 400, message: 'invalid action' }], resources: [] });
    for (const id of ids) {
      const d = devices.get(id);
      if (!d) return void res.status(404).json({ errors: [{ code: 404, message: `device ${id} not found` }], resources: [] });
      if (action === 'contain') {
        d.contains += 1;
        d.status = 'containment_pending';
        setTimeout(() => d.status === 'containment_pending' && (d.status = 'contained'), 1500).unref();
        record('falcon.contain', id);
      } else {
        d.lifts += 1;
        d.status = 'normal';
      }
    }
    await writeDelay();
    res.status(202).json({ meta: {}, resources: ids.map((id) => ({ id, path: '' })), errors: [] });
  });
  app.use('/falcon', falcon);

  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const state: ChaosPeers = {
    url,
    env: {
      VIRUSTOTAL_API_KEY: VT_KEY,
      VIRUSTOTAL_BASE_URL: `${url}/virustotal`,
      VIRUSTOTAL_RATE_LIMIT: '1000/s',
      ABUSEIPDB_API_KEY: ABUSE_KEY,
      ABUSEIPDB_BASE_URL: `${url}/abuseipdb`,
      ABUSEIPDB_RATE_LIMIT: '1000/s',
      JIRA_BASE_URL: `${url}/jira`,
      JIRA_EMAIL: JIRA.email,
      JIRA_API_TOKEN: JIRA.token,
      JIRA_PROJECT_KEY: JIRA.project,
      CROWDSTRIKE_CLIENT_ID: FALCON.clientId,
      CROWDSTRIKE_CLIENT_SECRET: FALCON.secret,
      CROWDSTRIKE_BASE_URL: `${url}/falcon`,
      RIPOSTE_CONTAINMENT: 'crowdstrike',
    },
    events,
    jira: { issues, comments },
    falcon: { devices },
    deviceId,
    duplicates() {
      const out: Array<{ op: PeerOp; key: string; count: number; caseId?: string }> = [];
      for (const [id, count] of seen) {
        const [op, key] = id.split('\n') as [PeerOp, string];
        if (count > 1 && !op.endsWith('.lookup')) out.push({ op, key, count, ...(events.find((e) => e.op === op && e.key === key)?.caseId ? { caseId: events.find((e) => e.op === op && e.key === key)?.caseId } : {}) });
      }
      return out;
    },
    counts() {
      const c = { 'jira.issue': 0, 'jira.comment': 0, 'falcon.contain': 0, 'virustotal.lookup': 0, 'abuseipdb.lookup': 0 } as Record<PeerOp, number>;
      for (const e of events) c[e.op] += 1;
      return c;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return state;
}
