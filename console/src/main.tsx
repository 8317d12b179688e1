// The analyst console: sign in, then the inbox of cases and each case (#/cases/<id>). Pages to
// come (issue 11): alerts, suppressions, playbooks, integrations, metrics, admin.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, message, signOut, whoAmI, type Me } from './api.ts';
import { CasePage } from './case.tsx';
import { Inbox } from './inbox.tsx';
import { SignIn } from './sign-in.tsx';
import './app.css';

/** The page the address names: #/ (the inbox) or #/cases/<id>. */
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
  const caseId = /^\/cases\/([^/]+)$/.exec(route)?.[1];
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
          <a href="#/" aria-current={route === '/' ? 'page' : undefined}>
            Inbox
          </a>
        </nav>
        <span class="who">
          {me.name} <span class="role">({me.role})</span>
          <button type="button" onClick={() => void leave()}>
            Sign out
          </button>
        </span>
      </header>
      <main>{caseId ? <CasePage caseId={caseId} me={me} /> : <Inbox />}</main>
    </>
  );
}

const root = document.getElementById('app');
if (root) {
  root.replaceChildren();
  render(<App />, root);
}
