// The playbooks page (#/playbooks): the library as the worker has it — what starts each playbook,
// its settings, the approvals it may ask and the side effects it may take — and a dry run: paste
// an alert, see what the playbook would do with it (every side effect recorded, none taken).
import { useState } from 'preact/hooks';
import { api, canAct, message, type Me } from './api.ts';
import { Loaded, useRead } from './ui.tsx';
import type { PlaybookInfo } from '../../workflows/definitions.ts';

/** As GET /v1/playbooks answers (the worker's catalog). */
type Playbook = PlaybookInfo;

/** What POST /v1/playbooks/{name}/dry-run answers, as far as this page shows it. */
interface DryRun {
  playbook: string;
  version?: number;
  workflowId: string;
  status: string;
  timeline: Array<{ at: string; step: string; message: string; actor?: string }>;
  approvals: Array<{ id?: string; action?: string; status?: string }>;
  actions: Array<{ id?: string; description?: string; driver?: string; status?: string }>;
  enrichment: Array<{ observable: { type: string; value: string }; source: string; status: string; verdict?: { level: string; summary?: string } }>;
  skipped: Array<{ step: string; reason: string; enableWith: string[] }>;
}

/** A finding to start from: the shape POST /v1/alerts takes (OCSF Detection Finding). */
const SAMPLE = JSON.stringify(
  {
    class_uid: 2004,
    time: Date.parse('2026-11-27T10:00:00Z'),
    severity_id: 4,
    finding_info: { uid: 'dry-run-1', title: 'Outbound beacon to suspected C2', analytic: { name: 'Periodic beacon' } },
    evidences: [{ src_endpoint: { ip: '10.20.0.5', hostname: 'web-1.corp.example' }, dst_endpoint: { ip: '203.0.113.7' } }],
  },
  null,
  2
);

export function PlaybooksPage({ me }: { me: Me }) {
  const read = useRead(() => api<{ playbooks: Playbook[] }>('GET', '/v1/playbooks'), []);
  return (
    <section aria-labelledby="playbooks-title">
      <h1 id="playbooks-title">Playbooks</h1>
      <Loaded read={read} what="the playbooks" isEmpty={(d) => d.playbooks.length === 0} empty="The worker has no playbook.">
        {({ playbooks }) => (
          <>
            <ul class="playbooks">
              {playbooks.map((p) => (
                <li key={p.name} data-playbook={p.name}>
                  <h2>
                    {p.title} <span class="case-id">{p.name} · version {p.version}</span>
                  </h2>
                  <p>{p.description}</p>
                  <dl class="facts">
                    <dt>Starts on</dt>
                    <dd>{p.route}</dd>
                    <dt>Approvals</dt>
                    <dd>{p.approvals.length ? p.approvals.map((a) => `${a.id} (${a.description})`).join('; ') : 'none'}</dd>
                    <dt>Side effects</dt>
                    <dd>{p.sideEffects.length ? p.sideEffects.join(', ') : 'none'}</dd>
                  </dl>
                  {p.settings.length > 0 && (
                    <details>
                      <summary>Settings ({p.settings.length})</summary>
                      <ul>
                        {p.settings.map((s) => (
                          <li key={s.name}>
                            <code>{s.env}</code> = {s.default || '(empty)'} — {s.description}
                            {s.choices?.length ? ` (one of ${s.choices.join(', ')})` : ''}
                          </li>
                        ))}
                      </ul>
                    </details>
                  )}
                </li>
              ))}
            </ul>
            {canAct(me.role) ? <DryRunForm playbooks={playbooks} /> : <p class="muted">Analysts and admins can dry-run a playbook here.</p>}
          </>
        )}
      </Loaded>
    </section>
  );
}

function DryRunForm({ playbooks }: { playbooks: Playbook[] }) {
  const [name, setName] = useState(playbooks[0]?.name ?? '');
  const [alert, setAlert] = useState(SAMPLE);
  const [source, setSource] = useState('ocsf');
  const [approvals, setApprovals] = useState<'approve' | 'reject' | 'timeout'>('approve');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [result, setResult] = useState<DryRun>();
  const run = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    setResult(undefined);
    let parsed: unknown;
    try {
      parsed = JSON.parse(alert);
    } catch (err) {
      return setError(`The alert is not JSON: ${message(err)}`);
    }
    setBusy(true);
    try {
      setResult(await api<DryRun>('POST', `/v1/playbooks/${encodeURIComponent(name)}/dry-run`, { body: { alert: parsed, source: source.trim() || 'ocsf', approvals } }));
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="dry-run-title">
      <h2 id="dry-run-title">Dry run</h2>
      <p class="muted">The real playbook runs on the workers; lookups are real, and every side effect is recorded instead of taken. No case is created.</p>
      <form class="dry-run" onSubmit={(e) => void run(e)}>
        <label for="dr-playbook">Playbook</label>
        <select id="dr-playbook" value={name} onChange={(e) => setName((e.target as HTMLSelectElement).value)}>
          {playbooks.map((p) => (
            <option key={p.name} value={p.name}>
              {p.title}
            </option>
          ))}
        </select>
        <label for="dr-source">Alert format (source)</label>
        <input id="dr-source" value={source} onInput={(e) => setSource((e.target as HTMLInputElement).value)} />
        <label for="dr-approvals">Answer every approval with</label>
        <select id="dr-approvals" value={approvals} onChange={(e) => setApprovals((e.target as HTMLSelectElement).value as typeof approvals)}>
          <option value="approve">Approve</option>
          <option value="reject">Reject</option>
          <option value="timeout">No answer (time out)</option>
        </select>
        <label for="dr-alert">Alert (JSON, as its source would post it)</label>
        <textarea id="dr-alert" rows={12} spellcheck={false} value={alert} onInput={(e) => setAlert((e.target as HTMLTextAreaElement).value)} />
        <button type="submit" disabled={busy || !name}>
          {busy ? 'Running…' : 'Dry run'}
        </button>
      </form>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      <div aria-live="polite">{result && <DryRunResult result={result} />}</div>
    </section>
  );
}

function DryRunResult({ result: r }: { result: DryRun }) {
  return (
    <article class="dry-run-result" aria-labelledby="dr-result-title">
      <h3 id="dr-result-title">
        What {r.playbook}
        {r.version !== undefined ? ` (version ${r.version})` : ''} would do: <span data-testid="dry-run-status">{r.status.replace('_', ' ')}</span>
      </h3>
      <p class="case-id">Workflow {r.workflowId}</p>
      <h4>Steps</h4>
      {r.timeline.length === 0 ? (
        <p class="empty">No step recorded.</p>
      ) : (
        <ol class="timeline steps">
          {r.timeline.map((t, i) => (
            <li key={i}>
              <span class="step">{t.step}</span> {t.message}
              {t.actor ? ` (${t.actor})` : ''}
            </li>
          ))}
        </ol>
      )}
      <h4>Actions it would take</h4>
      {r.actions.length === 0 ? (
        <p class="empty">None.</p>
      ) : (
        <ul>
          {r.actions.map((a, i) => (
            <li key={a.id ?? i}>
              {a.description ?? a.id} <span class="muted">({a.driver ?? 'simulated'})</span>
            </li>
          ))}
        </ul>
      )}
      <h4>Approvals it would ask</h4>
      {r.approvals.length === 0 ? (
        <p class="empty">None.</p>
      ) : (
        <ul>
          {r.approvals.map((a, i) => (
            <li key={a.id ?? i}>
              {a.action ?? a.id}: {a.status?.replace('_', ' ')}
            </li>
          ))}
        </ul>
      )}
      {r.enrichment.length > 0 && (
        <>
          <h4>Enrichment</h4>
          <ul>
            {r.enrichment.map((e, i) => (
              <li key={i}>
                {e.observable.type} {e.observable.value} — {e.source}: {e.verdict?.level ?? e.status}
              </li>
            ))}
          </ul>
        </>
      )}
      {r.skipped.length > 0 && (
        <>
          <h4>Skipped</h4>
          <ul>
            {r.skipped.map((s) => (
              <li key={s.step}>
                {s.step}: {s.reason}
                {s.enableWith.length ? ` (set ${s.enableWith.join(', ')})` : ''}
              </li>
            ))}
          </ul>
        </>
      )}
    </article>
  );
}
