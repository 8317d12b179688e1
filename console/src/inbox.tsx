// The inbox: cases by triage priority (or newest first), each with why it ranks there, updated
// live as they change; filters as the API offers them; a page of 100 at a time, more on demand;
// j / k (or ↓ / ↑) move through the cases, Enter opens one.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, message, type CaseList, type CaseRow } from './api.ts';
import { useLive } from './live.ts';
import { relative, SEVERITY, severityName, STATUS, statusName } from './format.ts';
import { TriageFlags } from './triage.tsx';

interface Filters {
  status: string;
  severity: string;
  entity: string;
  sort: 'priority' | 'newest';
}

const PAGE = 100;

/** Read again this often even when no change is told (a stream that was down a while). */
const REFRESH_MS = 30_000;

export function Inbox() {
  const [filters, setFilters] = useState<Filters>({ status: '', severity: '', entity: '', sort: 'priority' });
  const [entityDraft, setEntityDraft] = useState('');
  const [pages, setPages] = useState(1);
  const query = new URLSearchParams({ limit: String(PAGE), sort: filters.sort, ...(filters.status ? { status: filters.status } : {}), ...(filters.severity ? { severity: filters.severity } : {}), ...(filters.entity ? { entity: filters.entity } : {}) }).toString();
  useEffect(() => setPages(1), [query]);
  // Any case that changes (a new one, a playbook step, a decision) reads the pages shown again.
  const { data, error } = useLive(
    async () => {
      const cases: CaseRow[] = [];
      let next: string | undefined;
      for (let page = 0; page < pages; page++) {
        const read = await api<CaseList>('GET', `/v1/cases?${query}${next ? `&before=${encodeURIComponent(next)}` : ''}`);
        cases.push(...read.cases);
        next = read.next;
        if (!next) break;
      }
      return { cases, more: next !== undefined };
    },
    { wants: () => true, everyMs: REFRESH_MS, describe: message },
    [query, pages]
  );
  const cases = data?.cases;
  // The selection follows its case, not its place: a live update that reorders the list keeps it.
  const [selectedId, setSelectedId] = useState<string>();
  const found = cases?.findIndex((c) => c.caseId === selectedId) ?? -1;
  const selected = found < 0 ? 0 : found;
  // The keys read the list and the selection as they are now: a key pressed before the page has
  // re-rendered (or re-subscribed) must not act on the previous ones.
  const now = useRef({ cases, selectedId });
  now.current.cases = cases;
  useEffect(() => {
    const keys = (e: KeyboardEvent) => {
      if (e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement || e.target instanceof HTMLTextAreaElement || e.ctrlKey || e.metaKey || e.altKey) return;
      const list = now.current.cases ?? [];
      if (list.length === 0) return;
      const at = Math.max(0, list.findIndex((c) => c.caseId === now.current.selectedId));
      const select = (i: number) => {
        now.current.selectedId = list[i]?.caseId;
        setSelectedId(now.current.selectedId);
      };
      if (e.key === 'j' || e.key === 'ArrowDown') select(Math.min(list.length - 1, at + 1));
      else if (e.key === 'k' || e.key === 'ArrowUp') select(Math.max(0, at - 1));
      else if (e.key === 'Enter') {
        const c = list[at];
        if (c) location.hash = `#/cases/${c.caseId}`;
      } else return;
      e.preventDefault();
    };
    addEventListener('keydown', keys);
    return () => removeEventListener('keydown', keys);
  }, []);
  return (
    <section aria-labelledby="inbox-title">
      <h1 id="inbox-title">Inbox</h1>
      <form
        class="filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setFilters({ ...filters, entity: entityDraft.trim() });
        }}
      >
        <label for="f-status">Status</label>
        <select id="f-status" value={filters.status} onChange={(e) => setFilters({ ...filters, status: (e.target as HTMLSelectElement).value })}>
          <option value="">Any</option>
          {Object.entries(STATUS).map(([value, name]) => (
            <option key={value} value={value}>
              {name}
            </option>
          ))}
        </select>
        <label for="f-severity">Severity at least</label>
        <select id="f-severity" value={filters.severity} onChange={(e) => setFilters({ ...filters, severity: (e.target as HTMLSelectElement).value })}>
          <option value="">Any</option>
          {SEVERITY.map((name, id) => (id > 0 ? <option key={id} value={String(id)}>{name}</option> : null))}
        </select>
        <label for="f-sort">Order</label>
        <select id="f-sort" value={filters.sort} onChange={(e) => setFilters({ ...filters, sort: (e.target as HTMLSelectElement).value as Filters['sort'] })}>
          <option value="priority">Triage priority</option>
          <option value="newest">Newest first</option>
        </select>
        <label for="f-entity">Host, user or address</label>
        <input id="f-entity" value={entityDraft} placeholder="host:web-1" onInput={(e) => setEntityDraft((e.target as HTMLInputElement).value)} />
        <button type="submit">Search</button>
      </form>
      {error && (
        <p role="alert" class="error">
          Could not read the cases: {error}
        </p>
      )}
      {cases === undefined ? (
        <p class="loading">Loading cases…</p>
      ) : cases.length === 0 ? (
        <p>{filters.status || filters.severity || filters.entity ? 'No case matches.' : 'No cases yet.'}</p>
      ) : (
        <table class="cases">
          <caption class="visually-hidden">Cases, {filters.sort === 'priority' ? 'by triage priority' : 'newest first'}</caption>
          <thead>
            <tr>
              <th scope="col">Priority</th>
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
            {cases.map((c, i) => (
              <tr key={c.caseId} data-case-id={c.caseId} class={i === selected ? 'selected' : ''} aria-current={i === selected ? 'true' : undefined}>
                <td class="priority-cell">
                  <span class="priority" data-priority={c.priority}>
                    {c.priority}
                  </span>
                  {c.triage && <TriageFlags triage={c.triage} />}
                </td>
                <td>
                  <span class={`severity s${c.severity_id}`}>{severityName(c.severity_id)}</span>
                </td>
                <td>
                  <a class="title" href={`#/cases/${c.caseId}`}>
                    {c.title}
                  </a>
                  <span class="case-id">{c.caseId}</span>
                  {c.entities.length > 0 && <span class="entities">{c.entities.slice(0, 4).join(', ')}{c.entities.length > 4 ? ` +${c.entities.length - 4}` : ''}</span>}
                  {c.triage && <span class="why">{c.triage.reasons.slice(0, 2).join(' · ')}</span>}
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
      {data?.more && (
        <p>
          <button type="button" onClick={() => setPages(pages + 1)}>
            Show {PAGE} more
          </button>
        </p>
      )}
    </section>
  );
}
