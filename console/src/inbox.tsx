// The inbox: cases newest first, updated live as they change.
import { useEffect, useState } from 'preact/hooks';
import { api, onCaseChanges, type CaseList, type CaseRow } from './api.ts';
import { relative, severityName, statusName } from './format.ts';

/** Read again this often even when no change is told (a stream that was down a while). */
const REFRESH_MS = 30_000;
/** Changes told close together are read once. */
const SETTLE_MS = 150;

export function Inbox() {
  const [cases, setCases] = useState<CaseRow[]>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      if (timer) clearTimeout(timer);
      try {
        const page = await api<CaseList>('GET', '/v1/cases?limit=100');
        if (stopped) return;
        setCases(page.cases);
        setError(undefined);
      } catch (err) {
        if (!stopped) setError(err instanceof Error ? err.message : String(err));
      }
      if (!stopped) timer = setTimeout(() => void load(), REFRESH_MS);
    };
    void load();
    // Live: any case that changes (a new one, a playbook step, a decision) reads the list again.
    const stop = onCaseChanges(() => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => void load(), SETTLE_MS);
    });
    return () => {
      stopped = true;
      stop();
      if (timer) clearTimeout(timer);
    };
  }, []);
  return (
    <section aria-labelledby="inbox-title">
      <h1 id="inbox-title">Inbox</h1>
      {error && (
        <p role="alert" class="error">
          Could not read the cases: {error}
        </p>
      )}
      {cases === undefined ? (
        <p class="loading">Loading cases…</p>
      ) : cases.length === 0 ? (
        <p>No cases yet.</p>
      ) : (
        <table class="cases">
          <caption class="visually-hidden">Cases, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Severity</th>
              <th scope="col">Case</th>
              <th scope="col">Status</th>
              <th scope="col">Assignee</th>
              <th scope="col">Alerts</th>
              <th scope="col">Last alert</th>
              <th scope="col">Acknowledge by</th>
            </tr>
          </thead>
          <tbody>
            {cases.map((c) => (
              <tr key={c.caseId} data-case-id={c.caseId}>
                <td>
                  <span class={`severity s${c.severity_id}`}>{severityName(c.severity_id)}</span>
                </td>
                <td>
                  <a class="title" href={`#/cases/${c.caseId}`}>
                    {c.title}
                  </a>
                  <span class="case-id">{c.caseId}</span>
                </td>
                <td>
                  {statusName(c.status)}
                  {c.pendingApprovals > 0 && <span class="badge">{c.pendingApprovals} to approve</span>}
                </td>
                <td>{c.assignee ?? '—'}</td>
                <td>{c.alertCount}</td>
                <td>
                  <time dateTime={c.lastAlertAt}>{relative(c.lastAlertAt)}</time>
                </td>
                <td class={c.sla.breached.includes('acknowledge') ? 'breached' : ''}>{c.sla.breached.includes('acknowledge') ? 'missed' : relative(c.sla.acknowledgeBy)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
