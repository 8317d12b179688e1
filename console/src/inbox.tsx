// The inbox: cases newest first, updated live as they change.
import { api, type CaseList } from './api.ts';
import { useLive } from './live.ts';
import { relative, severityName, statusName } from './format.ts';

/** Read again this often even when no change is told (a stream that was down a while). */
const REFRESH_MS = 30_000;

export function Inbox() {
  // Any case that changes (a new one, a playbook step, a decision) reads the list again.
  const { data: cases, error } = useLive(async () => (await api<CaseList>('GET', '/v1/cases?limit=100')).cases, { wants: () => true, everyMs: REFRESH_MS, describe: (err) => (err instanceof Error ? err.message : String(err)) }, []);
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
