// The admin page (#/admin, admins only): people with personal tokens — list, add (the token is
// shown once), change a role — and the audit trail, newest first, a page at a time, filtered by
// who acted and what they did.
import { useState } from 'preact/hooks';
import type { AuditEntry } from '../../store/audit.ts';
import type { User as StoredUser } from '../../store/users.ts';
import { api, message, type Me } from './api.ts';
import { relative } from './format.ts';
import { Loaded, useRead, When } from './ui.tsx';

const ROLES = ['viewer', 'analyst', 'admin'] as const;
type Role = (typeof ROLES)[number];

/** As GET /v1/users answers (api/routes/users.ts). */
type User = StoredUser;

/** As GET /v1/audit answers (api/routes/audit.ts). */
type Entry = AuditEntry;

const PAGE = 50;

export function AdminPage({ me }: { me: Me }) {
  if (me.role !== 'admin') {
    return (
      <section aria-labelledby="admin-title">
        <h1 id="admin-title">Admin</h1>
        <p role="alert" class="error">
          Only admins manage people and read the audit trail.
        </p>
      </section>
    );
  }
  return (
    <section aria-labelledby="admin-title">
      <h1 id="admin-title">Admin</h1>
      <Users />
      <Audit />
    </section>
  );
}

function Users() {
  const read = useRead(() => api<{ users: User[] }>('GET', '/v1/users'), []);
  const [note, setNote] = useState<string>();
  const [error, setError] = useState<string>();
  const setRole = async (name: string, role: Role) => {
    setError(undefined);
    try {
      await api('POST', `/v1/users/${encodeURIComponent(name)}/role`, { body: { role } });
      await read.reload();
      setNote(`${name} is now ${role === 'viewer' ? 'a' : 'an'} ${role}.`);
    } catch (err) {
      setError(message(err));
    }
  };
  return (
    <section aria-labelledby="users-title">
      <h2 id="users-title">People</h2>
      <p role="status" class="note">
        {note}
      </p>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      <Loaded read={read} what="the people" isEmpty={(d) => d.users.length === 0} empty="Nobody has a personal token yet (configured tokens are not listed).">
        {({ users }) => (
          <table class="cases users">
            <caption class="visually-hidden">People with personal tokens</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Status</th>
                <th scope="col">Added</th>
                <th scope="col">Last used</th>
              </tr>
            </thead>
            <tbody>
              {users.map((u) => (
                <tr key={u.name} data-user={u.name}>
                  <th scope="row">{u.name}</th>
                  <td>
                    <select aria-label={`Role of ${u.name}`} value={u.role} onChange={(e) => void setRole(u.name, (e.target as HTMLSelectElement).value as Role)}>
                      {ROLES.map((r) => (
                        <option key={r} value={r}>
                          {r}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td>{u.status}</td>
                  <td>
                    <When at={u.createdAt} /> <span class="case-id">by {u.createdBy}</span>
                  </td>
                  <td>{u.lastUsedAt ? relative(u.lastUsedAt) : 'never'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Loaded>
      <AddUser onAdded={() => void read.reload()} />
    </section>
  );
}

function AddUser({ onAdded }: { onAdded: () => void }) {
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('analyst');
  const [added, setAdded] = useState<{ name: string; token: string }>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setAdded(undefined);
    try {
      const answer = await api<{ user: User; token: string }>('POST', '/v1/users', { body: { name: name.trim(), role } });
      setAdded({ name: answer.user.name, token: answer.token });
      setName('');
      onAdded();
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="filters add-user" onSubmit={(e) => void submit(e)}>
      <label for="u-name">New person</label>
      <input id="u-name" value={name} required onInput={(e) => setName((e.target as HTMLInputElement).value)} />
      <label for="u-role">Role</label>
      <select id="u-role" value={role} onChange={(e) => setRole((e.target as HTMLSelectElement).value as Role)}>
        {ROLES.map((r) => (
          <option key={r} value={r}>
            {r}
          </option>
        ))}
      </select>
      <button type="submit" disabled={busy || name.trim() === ''}>
        Add
      </button>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {added && (
        <p role="status" class="token">
          {added.name}’s token, shown this once (Riposte keeps only its hash): <code data-testid="new-token">{added.token}</code>
        </p>
      )}
    </form>
  );
}

function Audit() {
  const [filters, setFilters] = useState({ actor: '', action: '' });
  const [draft, setDraft] = useState(filters);
  /** The `before` cursor of each page seen, to go back ('' is the newest). */
  const [pages, setPages] = useState<string[]>(['']);
  const before = pages[pages.length - 1] ?? '';
  const read = useRead(() => {
    const q = new URLSearchParams({ limit: String(PAGE), ...(filters.actor ? { actor: filters.actor } : {}), ...(filters.action ? { action: filters.action } : {}), ...(before ? { before } : {}) });
    return api<{ entries: Entry[]; next?: string }>('GET', `/v1/audit?${q.toString()}`);
  }, [filters.actor, filters.action, before]);
  return (
    <section aria-labelledby="audit-title">
      <h2 id="audit-title">Audit trail</h2>
      <form
        class="filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setFilters({ actor: draft.actor.trim(), action: draft.action.trim() });
          setPages(['']);
        }}
      >
        <label for="au-actor">Who</label>
        <input id="au-actor" value={draft.actor} placeholder="alice" onInput={(e) => setDraft({ ...draft, actor: (e.target as HTMLInputElement).value })} />
        <label for="au-action">Action</label>
        <input id="au-action" value={draft.action} placeholder="activateSuppression" onInput={(e) => setDraft({ ...draft, action: (e.target as HTMLInputElement).value })} />
        <button type="submit">Filter</button>
      </form>
      <Loaded read={read} what="the audit trail" isEmpty={(d) => d.entries.length === 0} empty={filters.actor || filters.action ? 'No entry matches.' : 'The audit trail is empty.'}>
        {({ entries, next }) => (
          <>
            <table class="cases audit">
              <caption class="visually-hidden">Audit trail, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Who</th>
                  <th scope="col">Action</th>
                  <th scope="col">Target</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">From</th>
                </tr>
              </thead>
              <tbody>
                {entries.map((e) => (
                  <tr key={e.seq} data-seq={e.seq}>
                    <td>
                      <When at={e.at} />
                    </td>
                    <td>
                      {e.actor}
                      {e.role && <span class="case-id">{e.role}</span>}
                    </td>
                    <td>{e.action}</td>
                    <td>{e.caseId ? <a href={`#/cases/${e.caseId}`}>{e.target ?? e.caseId}</a> : (e.target ?? '—')}</td>
                    <td class={e.outcome === 'ok' ? '' : 'breached'}>
                      {e.outcome}
                      {e.status !== undefined ? ` (${e.status})` : ''}
                    </td>
                    <td>{e.from ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <nav class="pager" aria-label="Audit trail pages">
              <button type="button" disabled={pages.length === 1} onClick={() => setPages(pages.slice(0, -1))}>
                Newer entries
              </button>
              <span class="muted">Page {pages.length}</span>
              <button type="button" disabled={!next} onClick={() => next && setPages([...pages, next])}>
                Older entries
              </button>
            </nav>
          </>
        )}
      </Loaded>
    </section>
  );
}
