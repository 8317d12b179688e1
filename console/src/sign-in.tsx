// Sign-in with a personal token (or a configured one): the API turns it into an HttpOnly session
// cookie and the page forgets the token.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, message, signIn, type Me } from './api.ts';

export function SignIn({ onSignedIn }: { onSignedIn: (me: Me) => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  // Single sign-on, when the API has it configured: a link to the identity provider.
  const [sso, setSso] = useState<string>();
  useEffect(() => {
    api<{ singleSignOn?: { login: string } }>('GET', '/v1/auth/methods').then(
      (m) => setSso(m.singleSignOn?.login),
      () => undefined
    );
  }, []);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const me = await signIn(token.trim());
      setToken('');
      onSignedIn(me);
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? 'That token is not valid.' : message(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="sign-in">
      <h1>Riposte</h1>
      {sso && (
        <p>
          <a class="button" href={sso}>
            Sign in with single sign-on
          </a>
        </p>
      )}
      <form onSubmit={(e) => void submit(e)}>
        <label for="token">Personal token</label>
        <input id="token" name="token" type="password" autocomplete="off" required value={token} onInput={(e) => setToken((e.target as HTMLInputElement).value)} />
        <button type="submit" disabled={busy || token.trim() === ''}>
          Sign in
        </button>
        {error && (
          <p role="alert" class="error">
            {error}
          </p>
        )}
      </form>
      <p class="hint">
        An admin issues personal tokens with <code>npm run users -- add &lt;name&gt; &lt;role&gt;</code>.
      </p>
    </main>
  );
}
