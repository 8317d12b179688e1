// One case: where it stands, what waits for a decision, what was done (with undo), what the
// sources said, and the timeline. Updated live as the case changes.
import { useCallback, useState } from 'preact/hooks';
import { api, ApiError, canAct, message, type Action, type Approval, type CaseView, type Me } from './api.ts';
import { useLive } from './live.ts';
import { relative, severityName, statusName } from './format.ts';
import { TriagePanel } from './triage.tsx';
import { Act } from './ui.tsx';
import { AssignTo, CloseOrReopen, Evidence, Sightings, SlaDue, Tags } from './case-parts.tsx';

/** Read again this often even when no change is told (a stream that was down a while). */
const REFRESH_MS = 15_000;

export function CasePage({ caseId, me }: { caseId: string; me: Me }) {
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  const { data: view, error } = useLive(() => api<CaseView>('GET', `/v1/cases/${encodeURIComponent(caseId)}`), {
    wants: (ids) => ids.includes(caseId),
    everyMs: REFRESH_MS,
    describe: (err) => (err instanceof ApiError && err.status === 404 ? 'No such case.' : message(err)),
  }, [caseId, tick]);

  if (!view) return error ? <p role="alert" class="error">{error}</p> : <p class="loading">Loading the case…</p>;
  const acts = canAct(me.role);
  return (
    <article aria-labelledby="case-title">
      <p>
        <a href="#/">← Inbox</a>
      </p>
      <h1 id="case-title">{view.title}</h1>
      <dl class="facts">
        <dt>Status</dt>
        <dd data-testid="case-status">{statusName(view.status)}</dd>
        <dt>Severity</dt>
        <dd>{severityName(view.severity_id)}</dd>
        <dt>Case</dt>
        <dd class="case-id">{view.caseId}</dd>
        <dt>Assignee</dt>
        <dd data-testid="case-assignee">
          {view.assignee ?? '—'}
          {acts && view.assignee !== me.name && <>{' '}<Act label="Assign to me" path={`/v1/cases/${encodeURIComponent(view.caseId)}/assign`} body={{}} onDone={reload} /></>}
        </dd>
        {acts && (
          <>
            <dt>Hand over</dt>
            <dd>
              <AssignTo caseId={view.caseId} onDone={reload} />
            </dd>
          </>
        )}
        <dt>Acknowledge</dt>
        <dd data-testid="sla-acknowledge">
          <SlaDue due={view.sla.acknowledgeBy} met={Boolean(view.acknowledgedAt)} missed={view.sla.breached.includes('acknowledge')} />
        </dd>
        <dt>Contain</dt>
        <dd data-testid="sla-contain">
          <SlaDue due={view.sla.containBy} met={view.timings.containMs !== undefined} missed={view.sla.breached.includes('contain')} />
        </dd>
        <dt>Tags</dt>
        <dd>
          <Tags view={view} canEdit={acts} onDone={reload} />
        </dd>
        <dt>Alerts</dt>
        <dd>{view.alertCount}</dd>
        <dt>Verdict</dt>
        <dd>{view.verdict ? `${view.verdict.verdict.replace('_', ' ')} (${view.verdict.by})` : '—'}</dd>
        <dt>Ticket</dt>
        <dd>{view.ticket ? view.ticket.url ? <a href={view.ticket.url}>{view.ticket.key}</a> : view.ticket.key : '—'}</dd>
        <dt>Report</dt>
        <dd>
          <a href={`/v1/cases/${encodeURIComponent(view.caseId)}/report?format=html`} target="_blank" rel="noopener">
            Incident report
          </a>{' '}
          (
          <a href={`/v1/cases/${encodeURIComponent(view.caseId)}/report?format=markdown`} download={`${view.caseId}.md`}>
            Markdown
          </a>
          )
        </dd>
      </dl>
      {error && <p role="alert" class="error">{error}</p>}

      {acts && <CloseOrReopen view={view} onDone={reload} />}

      <TriagePanel priority={view.priority} triage={view.triage} />

      <section aria-labelledby="approvals-title">
        <h2 id="approvals-title">Approvals</h2>
        {view.pendingApprovals.length === 0 ? <p>Nothing waits for a decision.</p> : view.pendingApprovals.map((a) => <PendingApproval key={a.id} caseId={view.caseId} approval={a} canDecide={acts} onDone={reload} />)}
        {view.approvals.filter((a) => a.status !== 'pending').map((a) => (
          <p key={a.id} class="decided">
            {a.action}: <strong>{a.status.replace('_', ' ')}</strong>
            {a.decidedBy ? ` by ${a.decidedBy}` : ''}
            {a.comment ? ` — “${a.comment}”` : ''}
          </p>
        ))}
      </section>

      <section aria-labelledby="actions-title">
        <h2 id="actions-title">Actions</h2>
        {view.actions.length === 0 ? <p>No action taken.</p> : (
          <ul class="actions">
            {view.actions.map((a) => <ActionItem key={a.id} caseId={view.caseId} action={a} canUndo={acts} onDone={reload} />)}
          </ul>
        )}
      </section>

      {acts && !view.verdict && <VerdictForm caseId={view.caseId} onDone={reload} />}

      <section aria-labelledby="enrichment-title">
        <h2 id="enrichment-title">Enrichment</h2>
        {view.enrichment.length === 0 ? <p>None yet.</p> : (
          <table class="cases">
            <caption class="visually-hidden">What each source said of each observable</caption>
            <thead>
              <tr>
                <th scope="col">Observable</th>
                <th scope="col">Source</th>
                <th scope="col">Verdict</th>
                <th scope="col">Summary</th>
              </tr>
            </thead>
            <tbody>
              {view.enrichment.map((e, i) => (
                <tr key={i}>
                  <td>
                    {e.observable.type} {e.observable.value}
                  </td>
                  <td>{e.source}</td>
                  <td>{e.verdict?.level ?? e.status}</td>
                  <td>{e.verdict?.summary ?? e.reason ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section aria-labelledby="scope-title">
        <h2 id="scope-title">Scope</h2>
        {view.scope.length === 0 ? <p>Nothing in scope yet.</p> : (
          <ul class="scope">
            {view.scope.map((x) => (
              <li key={`${x.type}:${x.value}`}>
                <strong>{x.type}</strong> {x.value}
                {x.ip && x.ip !== x.value ? ` (${x.ip})` : ''} <span class="muted">— joined by {x.joinedBy}: {x.reason}</span>
              </li>
            ))}
          </ul>
        )}
      </section>

      <Sightings view={view} />

      <Evidence view={view} />

      <section aria-labelledby="alerts-title">
        <h2 id="alerts-title">Alerts ({view.alertCount})</h2>
        {view.alerts.length < view.alertCount && (
          <p>
            The first {view.alerts.length} of {view.alertCount} are shown: <a href={`#/alerts?caseId=${encodeURIComponent(view.caseId)}&days=90`}>search them all on the Alerts page</a>.
          </p>
        )}
        <ul class="alerts">
          {view.alerts.map((a) => <AlertItem key={a.id} alert={a} />)}
        </ul>
      </section>

      <section aria-labelledby="comments-title">
        <h2 id="comments-title">Comments</h2>
        {view.comments.length === 0 ? <p>No comments.</p> : (
          <ul class="comments">
            {view.comments.map((c, i) => (
              <li key={i}>
                <strong>{c.by}</strong> <time dateTime={c.at}>{relative(c.at)}</time>: {c.text}
              </li>
            ))}
          </ul>
        )}
        {acts && <CommentForm caseId={view.caseId} onDone={reload} />}
      </section>

      <section aria-labelledby="timeline-title">
        <h2 id="timeline-title">Timeline</h2>
        <ol class="timeline">
          {view.timeline.map((t, i) => (
            <li key={i}>
              <time dateTime={t.at}>{new Date(t.at).toLocaleTimeString()}</time> <span class="step">{t.step}</span> {t.message}
              {t.actor ? ` (${t.actor})` : ''}
            </li>
          ))}
        </ol>
      </section>
    </article>
  );
}

function PendingApproval({ caseId, approval, canDecide, onDone }: { caseId: string; approval: Approval; canDecide: boolean; onDone: () => void }) {
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const decide = async (decision: 'approve' | 'reject') => {
    setBusy(true);
    setError(undefined);
    try {
      await api('POST', `/v1/cases/${encodeURIComponent(caseId)}/approvals/${encodeURIComponent(approval.id)}`, { body: { decision, ...(comment.trim() ? { comment: comment.trim() } : {}) } });
      onDone();
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(false);
    }
  };
  const id = `comment-${approval.id}`;
  return (
    <div class="approval" data-approval-id={approval.id}>
      <p>
        <strong>{approval.action}</strong> — {approval.reason}
      </p>
      {approval.targets?.length ? <p>Targets: {approval.targets.join(', ')}</p> : null}
      <p class="muted">
        Expires {relative(approval.expiresAt)}
        {approval.required === 2 ? ` · needs two analysts${approval.approvedBy?.length ? ` (approved by ${approval.approvedBy.map((a) => a.by).join(', ')})` : ''}` : ''}
      </p>
      {canDecide ? (
        <div class="decide">
          <label for={id}>Comment</label>
          <input id={id} value={comment} onInput={(e) => setComment((e.target as HTMLInputElement).value)} />
          <button type="button" disabled={busy} onClick={() => void decide('approve')}>
            Approve
          </button>
          <button type="button" disabled={busy} onClick={() => void decide('reject')}>
            Reject
          </button>
        </div>
      ) : (
        <p class="muted">Your role cannot decide approvals.</p>
      )}
      {error && <p role="alert" class="error">{error}</p>}
    </div>
  );
}

function ActionItem({ caseId, action, canUndo, onDone }: { caseId: string; action: Action; canUndo: boolean; onDone: () => void }) {
  return (
    <li data-action-id={action.id}>
      {action.description} <span class="muted">({action.driver}{action.simulated ? ', simulated: nothing changed' : ''})</span> — <strong>{action.status.replace('_', ' ')}</strong>
      {canUndo && action.status === 'applied' && action.undo && <>{' '}<Act label="Undo" path={`/v1/cases/${encodeURIComponent(caseId)}/actions/${encodeURIComponent(action.id)}/undo`} body={{}} onDone={onDone} /></>}
    </li>
  );
}

function VerdictForm({ caseId, onDone }: { caseId: string; onDone: () => void }) {
  const [verdict, setVerdict] = useState<'true_positive' | 'false_positive' | 'benign'>('true_positive');
  const [comment, setComment] = useState('');
  const [error, setError] = useState<string>();
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    try {
      await api('POST', `/v1/cases/${encodeURIComponent(caseId)}/verdict`, { body: { verdict, ...(comment.trim() ? { comment: comment.trim() } : {}) } });
      onDone();
    } catch (err) {
      setError(message(err));
    }
  };
  return (
    <section aria-labelledby="verdict-title">
      <h2 id="verdict-title">Verdict</h2>
      <form class="verdict" onSubmit={(e) => void submit(e)}>
        <label for="verdict">Verdict</label>
        <select id="verdict" value={verdict} onChange={(e) => setVerdict((e.target as HTMLSelectElement).value as typeof verdict)}>
          <option value="true_positive">True positive</option>
          <option value="false_positive">False positive</option>
          <option value="benign">Benign</option>
        </select>
        <label for="verdict-comment">Comment</label>
        <input id="verdict-comment" value={comment} onInput={(e) => setComment((e.target as HTMLInputElement).value)} />
        <button type="submit">Record verdict</button>
        {error && <p role="alert" class="error">{error}</p>}
      </form>
    </section>
  );
}

/** A button that makes one write and says how it went. */
function AlertItem({ alert }: { alert: CaseView['alerts'][number] }) {
  const [raw, setRaw] = useState<string>();
  const [open, setOpen] = useState(false);
  const toggle = async () => {
    if (!open && raw === undefined) {
      try {
        const stored = await api<{ raw?: unknown }>('GET', `/v1/alerts/${encodeURIComponent(alert.id)}`);
        setRaw(typeof stored.raw === 'string' ? stored.raw : JSON.stringify(stored.raw, null, 2));
      } catch (err) {
        setRaw(`could not read it: ${message(err)}`);
      }
    }
    setOpen(!open);
  };
  return (
    <li data-alert-id={alert.id}>
      {severityName(alert.severity_id)} · {alert.title} <span class="muted">({alert.source}{alert.count > 1 ? `, ×${alert.count}` : ''}, {relative(alert.receivedAt)})</span>{' '}
      <button type="button" aria-expanded={open} onClick={() => void toggle()}>
        {open ? 'Hide raw' : 'Raw payload'}
      </button>
      {open && raw !== undefined && <pre class="raw">{raw}</pre>}
    </li>
  );
}

function CommentForm({ caseId, onDone }: { caseId: string; onDone: () => void }) {
  const [text, setText] = useState('');
  const [error, setError] = useState<string>();
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    try {
      await api('POST', `/v1/cases/${encodeURIComponent(caseId)}/comments`, { body: { text: text.trim() } });
      setText('');
      onDone();
    } catch (err) {
      setError(message(err));
    }
  };
  return (
    <form class="comment" onSubmit={(e) => void submit(e)}>
      <label for="new-comment">New comment</label>
      <textarea id="new-comment" rows={2} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
      <button type="submit" disabled={text.trim() === ''}>
        Add comment
      </button>
      {error && <p role="alert" class="error">{error}</p>}
    </form>
  );
}
