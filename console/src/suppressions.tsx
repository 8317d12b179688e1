// The suppressions page (#/suppressions): rules suggested by false-positive verdicts, ranked by
// the noise each would remove and shown with that evidence (GET /v1/suppressions/suggestions), to
// activate after review; every rule with its hits, origin, status, author and expiry,
// to revoke; and a form that shows what a new rule would have held back before it is added.
// Viewers read; analysts and admins act (an admin may add a rule broader than an analyst may).
import type { Static } from '@sinclair/typebox';
import { useEffect, useState } from 'preact/hooks';
import type { SuppressionResponse } from '../../api/schemas.ts';
import type { RankedSuggestion } from '../../api/suggestions.ts';
import { api, canAct, message, type Me } from './api.ts';
import { relative } from './format.ts';
import { Act, Loaded, useRead, When } from './ui.tsx';

export type Rule = Static<typeof SuppressionResponse>;
type Match = Rule['match'];

/** A suggestion as GET /v1/suppressions/suggestions ranks it (api/suggestions.ts). */
type Ranked = RankedSuggestion;

/** What POST /v1/suppressions/impact answers. */
interface Impact {
  days: number;
  alerts: number;
  wouldHaveSuppressed: number;
  examples: string[];
  capped: boolean;
  tooBroad?: string;
}

/** A rule's match in words. */
export function describeMatch(m: Match): string {
  switch (m.kind) {
    case 'domain':
      return `Domain ${m.value}`;
    case 'ip':
      return `Address ${m.value}`;
    case 'hash':
      return `Hash ${m.value}`;
    case 'rule_host':
      return `Rule “${m.rule}” on host ${m.host}`;
    case 'maintenance':
      return `Maintenance ${new Date(m.from).toLocaleString()} – ${new Date(m.to).toLocaleString()}${m.hosts?.length ? `, hosts ${m.hosts.join(', ')}` : ''}${m.rules?.length ? `, rules ${m.rules.join(', ')}` : ''}`;
  }
}

function statusOf(r: Rule): string {
  if (r.status === 'revoked') return r.revokedBy ? `revoked by ${r.revokedBy}` : 'revoked';
  if (r.expiresAt && Date.parse(r.expiresAt) <= Date.now()) return 'expired';
  return r.status === 'active' && r.activatedBy ? `active (activated by ${r.activatedBy})` : r.status;
}

const ORIGIN: Record<Rule['origin'], string> = { config: 'configuration file', api: 'added here', suggested: 'suggested by a verdict' };

export function SuppressionsPage({ me, params }: { me: Me; params: URLSearchParams }) {
  const read = useRead(async () => {
    const [{ rules }, { suggestions }] = await Promise.all([api<{ rules: Rule[] }>('GET', '/v1/suppressions'), api<{ suggestions: Ranked[] }>('GET', '/v1/suppressions/suggestions')]);
    // Ranked first; any suggestion past what one ranking weighs (the oldest) after them.
    const ranked = new Set(suggestions.map((x) => x.rule.id));
    const unranked = rules.filter((r) => r.status === 'suggested' && !ranked.has(r.id)).map((rule): Ranked | Rule => rule);
    return { rules, suggested: [...suggestions, ...unranked] };
  }, []);
  const acts = canAct(me.role);
  const [note, setNote] = useState<string>();
  const highlight = params.get('rule') ?? undefined;
  useEffect(() => {
    if (highlight && read.data) document.getElementById(`rule-${highlight}`)?.scrollIntoView({ block: 'center' });
  }, [highlight, read.data]);
  // Said once the list shows it.
  const done = (what: string) => () => void read.reload().then(() => setNote(what));
  return (
    <section aria-labelledby="suppressions-title">
      <h1 id="suppressions-title">Suppressions</h1>
      <p class="muted">Alerts a rule matches are kept and counted, and start nothing.</p>
      <p role="status" class="note">
        {note}
      </p>
      <Loaded read={read} what="the suppression rules">
        {({ rules, suggested }) => {
          const others = rules.filter((r) => r.status !== 'suggested');
          return (
            <>
              <section aria-labelledby="suggested-title">
                <h2 id="suggested-title">Suggested for review ({suggested.length})</h2>
                {suggested.length > 1 && <p class="muted">The most noise removed first: alerts of the last 7 days each would have held back, weighed by the analysts’ verdicts on that rule and host.</p>}
                {suggested.length === 0 ? (
                  <p class="empty">No suggestion waits. A false-positive verdict on a case suggests one rule per detection rule and host in it.</p>
                ) : (
                  suggested.map((x) => {
                    const r = 'rule' in x ? x.rule : x;
                    return <Suggestion key={r.id} rule={r} ranked={'rule' in x ? x : undefined} acts={acts} onActivated={done(`Rule ${r.id} is active: ${describeMatch(r.match)}.`)} />;
                  })
                )}
              </section>
              <section aria-labelledby="rules-title">
                <h2 id="rules-title">Rules ({others.length})</h2>
                {others.length === 0 ? (
                  <p class="empty">No rule yet.</p>
                ) : (
                  <table class="cases rules">
                    <caption class="visually-hidden">Suppression rules, oldest first, with how often each matched</caption>
                    <thead>
                      <tr>
                        <th scope="col">Rule</th>
                        <th scope="col">Status</th>
                        <th scope="col">Origin</th>
                        <th scope="col">Author</th>
                        <th scope="col">Hits</th>
                        <th scope="col">Expires</th>
                        <th scope="col">Reason</th>
                        {acts && <th scope="col">Actions</th>}
                      </tr>
                    </thead>
                    <tbody>
                      {others.map((r) => (
                        <tr key={r.id} id={`rule-${r.id}`} data-rule-id={r.id} class={r.id === highlight ? 'selected' : ''}>
                          <td>
                            {describeMatch(r.match)}
                            {r.global && <span class="badge">global</span>}
                            <span class="case-id">{r.id}</span>
                          </td>
                          <td>{statusOf(r)}</td>
                          <td>{ORIGIN[r.origin]}</td>
                          <td>{r.author}</td>
                          <td>
                            {r.hits > 0 ? <a href={`#/alerts?suppressedBy=${encodeURIComponent(r.id)}&days=90`}>{r.hits}</a> : 0}
                            {r.lastHitAt && <span class="case-id">last {relative(r.lastHitAt)}</span>}
                          </td>
                          <td>{r.expiresAt ? <When at={r.expiresAt} /> : 'never'}</td>
                          <td>{r.reason}</td>
                          {acts && (
                            <td>
                              {r.status === 'active' && r.origin !== 'config' ? (
                                <Act label="Revoke" method="DELETE" path={`/v1/suppressions/${encodeURIComponent(r.id)}`} describedBy={`rule-${r.id}`} onDone={done(`Rule ${r.id} is revoked.`)} />
                              ) : r.origin === 'config' ? (
                                <span class="muted">in the file</span>
                              ) : null}
                            </td>
                          )}
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )}
              </section>
            </>
          );
        }}
      </Loaded>
      {acts ? <CreateRule admin={me.role === 'admin'} onCreated={(r) => done(`Rule ${r.id} added: ${describeMatch(r.match)}.`)()} /> : <p class="muted">Your role reads the rules; analysts and admins add, activate and revoke them.</p>}
    </section>
  );
}

function Suggestion({ rule: r, ranked, acts, onActivated }: { rule: Rule; ranked: Ranked | undefined; acts: boolean; onActivated: () => void }) {
  const [impact, setImpact] = useState<Impact>();
  const [error, setError] = useState<string>();
  const preview = async () => {
    setError(undefined);
    try {
      setImpact(await api<Impact>('POST', '/v1/suppressions/impact', { body: { match: r.match } }));
    } catch (err) {
      setError(message(err));
    }
  };
  const id = `suggestion-${r.id}`;
  return (
    <div class="approval suggestion" data-rule-id={r.id} id={id} aria-labelledby={`${id}-title`} role="group">
      <p id={`${id}-title`}>
        <strong>{describeMatch(r.match)}</strong> <span class="case-id">{r.id}</span>
      </p>
      <p>
        Why: {r.reason}
        <br />
        Suggested by {r.author} <When at={r.createdAt} />
        {r.fromCase && (
          <>
            {' '}
            from <a href={`#/cases/${r.fromCase}`}>case {r.fromCase}</a> (<a href={`#/alerts?caseId=${r.fromCase}&days=90`}>its alerts</a>)
          </>
        )}
      </p>
      {ranked && (
        <p class="evidence" data-testid="evidence">
          Evidence: {ranked.evidence}.
          {ranked.examples.length > 0 && (
            <>
              {' '}
              For instance: <AlertLinks ids={ranked.examples} />.
            </>
          )}
        </p>
      )}
      {impact && <ImpactNote impact={impact} />}
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {acts && (
        <div class="decide">
          {!ranked && (
            <button type="button" onClick={() => void preview()}>
              Preview impact
            </button>
          )}
          <Act label="Activate" path={`/v1/suppressions/${encodeURIComponent(r.id)}/activate`} describedBy={`${id}-title`} onDone={onActivated} />
        </div>
      )}
    </div>
  );
}

/** Alert ids, each a link to it on the Alerts page. */
function AlertLinks({ ids }: { ids: string[] }) {
  return (
    <>
      {ids.map((id, i) => (
        <span key={id}>
          {i > 0 && ', '}
          <a href={`#/alerts?q=${encodeURIComponent(id)}&days=30`}>{id}</a>
        </span>
      ))}
    </>
  );
}

function ImpactNote({ impact }: { impact: Impact }) {
  return (
    <div class="impact" data-testid="impact">
      <p>
        Over the last {impact.days} days it would have held back <strong>{impact.wouldHaveSuppressed}</strong> of {impact.alerts} alert{impact.alerts === 1 ? '' : 's'}
        {impact.capped ? ' (only the newest were looked at)' : ''}.
        {impact.examples.length > 0 && (
          <>
            {' '}
            For instance: <AlertLinks ids={impact.examples.slice(0, 5)} />.
          </>
        )}
      </p>
      {impact.tooBroad && <p class="error">Too broad for an analyst alone: {impact.tooBroad}.</p>}
    </div>
  );
}

interface Draft {
  kind: Match['kind'];
  value: string;
  rule: string;
  host: string;
  from: string;
  to: string;
  hosts: string;
  rules: string;
  reason: string;
  expires: string;
  global: boolean;
}
const EMPTY: Draft = { kind: 'rule_host', value: '', rule: '', host: '', from: '', to: '', hosts: '', rules: '', reason: '', expires: '', global: false };
const KINDS: Array<[Match['kind'], string]> = [
  ['rule_host', 'A detection rule on a host'],
  ['domain', 'A domain (and its subdomains)'],
  ['ip', 'An address or range'],
  ['hash', 'A file hash'],
  ['maintenance', 'A maintenance window'],
];

const list = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean);
const iso = (local: string) => (local ? new Date(local).toISOString() : '');

function matchOf(d: Draft): Match {
  switch (d.kind) {
    case 'rule_host':
      return { kind: 'rule_host', rule: d.rule.trim(), host: d.host.trim() };
    case 'maintenance':
      return { kind: 'maintenance', from: iso(d.from), to: iso(d.to), ...(list(d.hosts).length ? { hosts: list(d.hosts) } : {}), ...(list(d.rules).length ? { rules: list(d.rules) } : {}) };
    default:
      return { kind: d.kind, value: d.value.trim() };
  }
}

/** Add a rule: its impact is shown first, and only a rule whose impact was seen can be added. */
function CreateRule({ admin, onCreated }: { admin: boolean; onCreated: (r: Rule) => void }) {
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [impact, setImpact] = useState<{ for: string; impact: Impact }>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const match = JSON.stringify(matchOf(draft));
  const seen = impact?.for === match ? impact.impact : undefined;
  const set = <K extends keyof Draft>(k: K) => (e: Event) => {
    const t = e.target as HTMLInputElement;
    setDraft({ ...draft, [k]: (t.type === 'checkbox' ? t.checked : t.value) as Draft[K] });
  };
  const preview = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setImpact({ for: match, impact: await api<Impact>('POST', '/v1/suppressions/impact', { body: { match: matchOf(draft) } }) });
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(false);
    }
  };
  const create = async (e: Event) => {
    e.preventDefault();
    if (!seen) return void preview();
    setBusy(true);
    setError(undefined);
    try {
      const rule = await api<Rule>('POST', '/v1/suppressions', { body: { match: matchOf(draft), reason: draft.reason.trim(), ...(draft.expires ? { expiresAt: iso(draft.expires) } : {}), ...(draft.global && admin ? { global: true } : {}) } });
      setDraft(EMPTY);
      setImpact(undefined);
      onCreated(rule);
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(false);
    }
  };
  const field = (k: keyof Draft, label: string, o: { type?: string; placeholder?: string; required?: boolean } = {}) => (
    <>
      <label for={`new-${k}`}>{label}</label>
      <input id={`new-${k}`} type={o.type ?? 'text'} value={draft[k] as string} placeholder={o.placeholder} required={o.required} onInput={set(k)} />
    </>
  );
  return (
    <section aria-labelledby="new-rule-title">
      <h2 id="new-rule-title">Add a rule</h2>
      <form class="new-rule" onSubmit={(e) => void create(e)}>
        <label for="new-kind">Suppress</label>
        <select id="new-kind" value={draft.kind} onChange={set('kind')}>
          {KINDS.map(([k, name]) => (
            <option key={k} value={k}>
              {name}
            </option>
          ))}
        </select>
        {draft.kind === 'rule_host' && (
          <>
            {field('rule', 'Detection rule', { placeholder: 'Periodic beacon', required: true })}
            {field('host', 'Host', { placeholder: 'web-1.corp.example', required: true })}
          </>
        )}
        {(draft.kind === 'domain' || draft.kind === 'ip' || draft.kind === 'hash') &&
          field('value', draft.kind === 'domain' ? 'Domain' : draft.kind === 'ip' ? 'Address or CIDR' : 'MD5, SHA-1 or SHA-256', { placeholder: draft.kind === 'domain' ? 'updates.example.com' : draft.kind === 'ip' ? '10.9.0.0/24' : '', required: true })}
        {draft.kind === 'maintenance' && (
          <>
            {field('from', 'From', { type: 'datetime-local', required: true })}
            {field('to', 'To', { type: 'datetime-local', required: true })}
            {field('hosts', 'Hosts (comma-separated; none: every host)')}
            {field('rules', 'Detection rules (comma-separated; none: every rule)')}
          </>
        )}
        {field('reason', 'Reason', { placeholder: 'why these alerts are noise', required: true })}
        {field('expires', 'Expires (recommended)', { type: 'datetime-local' })}
        {admin && seen?.tooBroad && (
          <label class="check">
            <input type="checkbox" checked={draft.global} onChange={set('global')} /> Add it as a global rule (admins only)
          </label>
        )}
        <div class="decide">
          <button type="button" disabled={busy} onClick={() => void preview()}>
            Preview impact
          </button>
          <button type="submit" disabled={busy || !seen || draft.reason.trim().length < 3}>
            Add rule
          </button>
          {!seen && <span class="muted">Preview its impact first.</span>}
        </div>
        {seen && <ImpactNote impact={seen} />}
        {error && (
          <p role="alert" class="error">
            {error}
          </p>
        )}
      </form>
    </section>
  );
}
