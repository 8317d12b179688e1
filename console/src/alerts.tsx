// The alerts page (#/alerts): every alert received in a period, suppressed ones included with the
// rule that held each back and why; filters as GET /v1/alerts offers them (kept in the address,
// so the suppressions page links to "what this rule held back"); each alert's case, and its raw
// payload on demand.
import type { Static } from '@sinclair/typebox';
import { useState } from 'preact/hooks';
import type { AlertListResponse } from '../../api/routes/alerts.ts';
import { api, message } from './api.ts';
import { relative, SEVERITY, severityName } from './format.ts';
import { useLive } from './live.ts';
import type { Rule } from './suppressions.tsx';
import { useRead, When } from './ui.tsx';

type AlertList = Static<typeof AlertListResponse>;
type AlertRow = AlertList['alerts'][number];

/** The filters the page keeps in its address (#/alerts?…), as GET /v1/alerts names them. */
const FILTERS = ['q', 'source', 'severity', 'suppressed', 'suppressedBy', 'caseId', 'days'] as const;
type Filters = Partial<Record<(typeof FILTERS)[number], string>>;

const PERIODS: Array<[string, string]> = [
  ['1', 'Last 24 hours'],
  ['7', 'Last 7 days'],
  ['30', 'Last 30 days'],
  ['90', 'Last 90 days'],
];
const REFRESH_MS = 30_000;

function readFilters(params: URLSearchParams): Filters {
  const out: Filters = {};
  for (const k of FILTERS) {
    const v = params.get(k);
    if (v) out[k] = v;
  }
  return out;
}

function go(filters: Filters): void {
  const q = new URLSearchParams(Object.entries(filters).filter(([, v]) => v) as Array<[string, string]>).toString();
  location.hash = `#/alerts${q ? `?${q}` : ''}`;
}

export function AlertsPage({ params }: { params: URLSearchParams }) {
  const filters = readFilters(params);
  const days = Number(filters.days ?? 7);
  const { days: _days, ...asked } = filters;
  const query = new URLSearchParams({ limit: '200', since: new Date(Date.now() - days * 86_400_000).toISOString(), ...asked }).toString();
  const key = JSON.stringify(filters);
  // New alerts make their cases change: read again then (suppressed ones every 30 s).
  const { data, error } = useLive(() => api<AlertList>('GET', `/v1/alerts?${query}`), { wants: () => true, everyMs: REFRESH_MS, describe: message }, [key]);
  const rules = useRead(() => api<{ rules: Rule[] }>('GET', '/v1/suppressions'), []);
  const ruleById = new Map((rules.data?.rules ?? []).map((r) => [r.id, r]));
  const [text, setText] = useState(filters.q ?? '');
  const [source, setSource] = useState(filters.source ?? '');
  const narrowed = Object.keys(asked).length > 0;

  return (
    <section aria-labelledby="alerts-title">
      <h1 id="alerts-title">Alerts</h1>
      <form
        class="filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          go({ ...filters, q: text.trim(), source: source.trim() });
        }}
      >
        <label for="a-q">Text</label>
        <input id="a-q" value={text} placeholder="title, rule, host, address…" onInput={(e) => setText((e.target as HTMLInputElement).value)} />
        <label for="a-source">Source</label>
        <input id="a-source" value={source} size={12} placeholder="ocsf" onInput={(e) => setSource((e.target as HTMLInputElement).value)} />
        <label for="a-severity">Severity at least</label>
        <select id="a-severity" value={filters.severity ?? ''} onChange={(e) => go({ ...filters, severity: (e.target as HTMLSelectElement).value })}>
          <option value="">Any</option>
          {SEVERITY.map((name, id) => (id > 0 ? <option key={id} value={String(id)}>{name}</option> : null))}
        </select>
        <label for="a-suppressed">Suppression</label>
        <select id="a-suppressed" value={filters.suppressed ?? ''} onChange={(e) => go({ ...filters, suppressed: (e.target as HTMLSelectElement).value })}>
          <option value="">All alerts</option>
          <option value="true">Suppressed only</option>
          <option value="false">Not suppressed</option>
        </select>
        <label for="a-days">Period</label>
        <select id="a-days" value={String(days)} onChange={(e) => go({ ...filters, days: (e.target as HTMLSelectElement).value })}>
          {PERIODS.map(([value, name]) => (
            <option key={value} value={value}>
              {name}
            </option>
          ))}
        </select>
        <button type="submit">Search</button>
        {narrowed && (
          <button type="button" onClick={() => go({ days: filters.days ?? '' })}>
            Clear filters
          </button>
        )}
      </form>
      {(filters.suppressedBy || filters.caseId) && (
        <p class="muted">
          {filters.suppressedBy ? `Only the alerts rule ${filters.suppressedBy} held back.` : `Only the alerts of case ${filters.caseId ?? ''}.`}
        </p>
      )}
      {error && (
        <p role="alert" class="error">
          Could not read the alerts: {error}
        </p>
      )}
      {data === undefined ? (
        !error && <p class="loading">Loading the alerts…</p>
      ) : data.alerts.length === 0 ? (
        <p class="empty">{narrowed ? 'No alert matches.' : 'No alerts in this period.'}</p>
      ) : (
        <>
          <p class="muted" aria-live="polite">
            {data.alerts.length} alert{data.alerts.length === 1 ? '' : 's'}
            {data.more ? ' shown, the newest; more match — narrow the search' : ''}
            {data.capped ? ` (only the newest ${data.scanned} of the period were searched)` : ''}.
          </p>
          <table class="cases alerts">
            <caption class="visually-hidden">Alerts, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Received</th>
                <th scope="col">Severity</th>
                <th scope="col">Alert</th>
                <th scope="col">Source</th>
                <th scope="col">Outcome</th>
                <th scope="col">Payload</th>
              </tr>
            </thead>
            <tbody>
              {data.alerts.map((a) => (
                <AlertLine key={a.id} alert={a} rule={a.suppressedBy ? ruleById.get(a.suppressedBy) : undefined} />
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

function AlertLine({ alert: a, rule }: { alert: AlertRow; rule: Rule | undefined }) {
  const [raw, setRaw] = useState<string>();
  const [open, setOpen] = useState(false);
  const toggle = async () => {
    if (!open && raw === undefined) {
      try {
        const stored = await api<{ raw?: unknown }>('GET', `/v1/alerts/${encodeURIComponent(a.id)}`);
        setRaw(stored.raw === undefined ? 'No payload was kept.' : typeof stored.raw === 'string' ? stored.raw : JSON.stringify(stored.raw, null, 2));
      } catch (err) {
        setRaw(`Could not read it: ${message(err)}`);
      }
    }
    setOpen(!open);
  };
  return (
    <>
      <tr data-alert-id={a.id}>
        <td>
          <When at={a.receivedAt} />
          <span class="case-id">{relative(a.receivedAt)}</span>
        </td>
        <td>
          <span class={`severity s${a.severity_id}`}>{severityName(a.severity_id)}</span>
        </td>
        <td>
          {a.title}
          {a.count > 1 && <span class="badge">×{a.count}</span>}
          {a.status === 'resolved' && <span class="badge">resolved</span>}
          <span class="case-id">
            {a.rule?.name ? `${a.rule.name} · ` : ''}
            {a.id}
          </span>
        </td>
        <td>{a.source}</td>
        <td class="outcome">
          {a.suppressedBy ? (
            <>
              <strong>Suppressed</strong> by{' '}
              <a href={`#/suppressions?rule=${encodeURIComponent(a.suppressedBy)}`}>{a.suppressedBy}</a>
              {rule && <span class="why">{rule.reason}</span>}
            </>
          ) : a.caseId ? (
            <a href={`#/cases/${a.caseId}`}>Case {a.caseId}</a>
          ) : (
            <span class="muted">No case</span>
          )}
        </td>
        <td>
          <button type="button" aria-expanded={open} onClick={() => void toggle()}>
            {open ? 'Hide raw' : 'Raw payload'}
          </button>
        </td>
      </tr>
      {open && raw !== undefined && (
        <tr class="raw-row">
          <td colSpan={6}>
            <pre class="raw" id={`raw-${a.id}`} tabIndex={0} aria-label={`Raw payload of ${a.id}`}>
              {raw}
            </pre>
          </td>
        </tr>
      )}
    </>
  );
}
