// The analyst console: sign in, then the inbox of cases and each case (#/cases/<id>); alerts,
// suppressions, playbooks, integrations, metrics, and for admins people and the audit trail.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { AdminPage } from './admin.tsx';
import { AlertsPage } from './alerts.tsx';
import { ApiError, message, signOut, whoAmI, type Me } from './api.ts';
import { CasePage } from './case.tsx';
import { Inbox } from './inbox.tsx';
import { IntegrationsPage } from './integrations.tsx';
import { MetricsPage } from './metrics.tsx';
import { PlaybooksPage } from './playbooks.tsx';
import { SignIn } from './sign-in.tsx';
import { SuppressionsPage } from './suppressions.tsx';
import './app.css';

/** The pages the bar links to: hash path, name, and whether a role sees the link. */
const PAGES: Array<{ path: string; name: string; shown?: (role: string) => boolean }> = [
  { path: '/', name: 'Inbox' },
  { path: '/alerts', name: 'Alerts' },
  { path: '/suppressions', name: 'Suppressions' },
  { path: '/playbooks', name: 'Playbooks' },
  { path: '/integrations', name: 'Integrations' },
  { path: '/metrics', name: 'Metrics' },
  { path: '/admin', name: 'Admin', shown: (role) => role === 'admin' },
];

/** The page the address names: #/ (the inbox), #/cases/<id>, #/alerts?…, #/suppressions … */
function useRoute(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const changed = () => setHash(location.hash);
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return hash.replace(/^#/, '') || '/';
}

function App() {
  const route = useRoute();
  const [path = '/', query = ''] = route.split('?');
  const params = new URLSearchParams(query);
  const caseId = /^\/cases\/([^/]+)$/.exec(path)?.[1];
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [error, setError] = useState<string>();
  useEffect(() => {
    whoAmI().then(
      (who) => setMe(who ?? null),
      (err: unknown) => setError(message(err))
    );
  }, []);
  if (error) return <p role="alert">The API did not answer: {error}</p>;
  if (me === undefined) return <p class="loading">Loading…</p>;
  if (me === null) return <SignIn onSignedIn={setMe} />;
  const leave = async () => {
    await signOut().catch((err: unknown) => {
      // A token's "session" (409) has nothing to end; anything else is worth saying.
      if (!(err instanceof ApiError && err.status === 409)) throw err;
    });
    setMe(null);
  };
  return (
    <>
      <header class="bar">
        <span class="brand">Riposte</span>
        <nav aria-label="Pages">
          {PAGES.filter((p) => p.shown?.(me.role) ?? true).map((p) => (
            <a key={p.path} href={`#${p.path}`} aria-current={path === p.path ? 'page' : undefined}>
              {p.name}
            </a>
          ))}
        </nav>
        <span class="who">
          {me.name} <span class="role">({me.role})</span>
          <button type="button" onClick={() => void leave()}>
            Sign out
          </button>
        </span>
      </header>
      <main>{page(path, caseId, params, me)}</main>
    </>
  );
}

function page(path: string, caseId: string | undefined, params: URLSearchParams, me: Me) {
  if (caseId) return <CasePage caseId={caseId} me={me} />;
  switch (path) {
    case '/alerts':
      return <AlertsPage params={params} />;
    case '/suppressions':
      return <SuppressionsPage me={me} params={params} />;
    case '/playbooks':
      return <PlaybooksPage me={me} />;
    case '/integrations':
      return <IntegrationsPage />;
    case '/metrics':
      return <MetricsPage />;
    case '/admin':
      return <AdminPage me={me} />;
    default:
      return <Inbox />;
  }
}

const root = document.getElementById('app');
if (root) {
  root.replaceChildren();
  render(<App />, root);
}
