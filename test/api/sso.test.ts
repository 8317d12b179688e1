// Single sign-on against a real OpenID Connect provider (panva's oidc-provider, certified, on
// loopback): the browser's whole round trip — Riposte → provider login → callback — with roles
// from the provider's groups claim, the session cookie and its CSRF token, refusals audited.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import type { Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import Provider from 'oidc-provider';
import { freePort } from '../../scripts/dev-server.ts';
import { startApi, TOKENS, type TestApi } from '../helpers/api.ts';
import { testClient, uniqueQueue } from '../helpers/temporal.ts';

const CLIENT_SECRET = 'riposte-test-client-secret-0123456789';
/** People at the provider, with their groups. */
const GROUPS: Record<string, string[]> = {
  alice: ['staff', 'soc-analysts'],
  ada: ['soc-analysts', 'soc-admins'],
  mallory: ['marketing'],
  dan: ['soc-analysts'],
  eve: ['soc-analysts'],
};

const json = async (r: Response): Promise<any> => r.json();

/** A browser's cookie jar, one per site (paths ignored: every cookie goes back to its site). */
class Jar {
  private readonly cookies = new Map<string, string>();
  take(res: Response): void {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const at = (pair as string).indexOf('=');
      const name = (pair as string).slice(0, at);
      const value = (pair as string).slice(at + 1);
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(c)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  get(name: string): string | undefined {
    return this.cookies.get(name);
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

describe('single sign-on (OpenID Connect)', () => {
  let api: TestApi;
  let idp: Server;
  let issuer: string;
  let close: () => Promise<void>;

  before(async () => {
    const [idpPort, apiPort] = [await freePort(), await freePort()];
    issuer = `http://127.0.0.1:${idpPort}`;
    const callback = `http://127.0.0.1:${apiPort}/v1/auth/oidc/callback`;
    const provider = new Provider(issuer, {
      clients: [{ client_id: 'riposte', client_secret: CLIENT_SECRET, redirect_uris: [callback], grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic' }],
      pkce: { required: () => true, methods: ['S256'] },
      claims: { openid: ['sub'], profile: ['preferred_username', 'groups'], email: ['email'] },
      cookies: { keys: ['riposte-test-cookie-key-0123456789'] },
      // Its own login and consent pages (the provider's development interactions) stand in for the SOC's login screen.
      features: { devInteractions: { enabled: true } },
      jwks: { keys: [{ ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }), use: 'sig', kid: 'test' }] },
      ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600 },
      findAccount: (_ctx: unknown, id: string) => (GROUPS[id] ? { accountId: id, claims: () => ({ sub: `sub-${id}`, preferred_username: id, email: `${id}@corp.test`, groups: GROUPS[id] }) } : undefined),
    });
    idp = provider.listen(idpPort, '127.0.0.1');
    const c = await testClient();
    close = c.close;
    api = await startApi({
      client: c.client,
      taskQueue: uniqueQueue('sso'),
      port: apiPort,
      env: {
        RIPOSTE_OIDC_ISSUER: issuer,
        RIPOSTE_OIDC_CLIENT_ID: 'riposte',
        RIPOSTE_OIDC_CLIENT_SECRET: CLIENT_SECRET,
        RIPOSTE_OIDC_REDIRECT_URL: callback,
        RIPOSTE_OIDC_ROLES: 'soc-analysts=analyst,soc-admins=admin',
      },
    });
  });
  after(async () => {
    await api?.close();
    await close?.();
    await new Promise((r) => idp?.close(r));
  });

  /**
   * A person signs in from a fresh browser: Riposte sends them to the provider, they log in there
   * (its login page), consent, and the provider sends them back to Riposte's callback.
   */
  async function signIn(login: string, returnTo?: string): Promise<{ callback: Response; jar: Jar; callbackUrl: string }> {
    const jar = new Jar();
    const idpJar = new Jar();
    const start = await fetch(`${api.url}/v1/auth/oidc/login${returnTo ? `?returnTo=${encodeURIComponent(returnTo)}` : ''}`, { redirect: 'manual' });
    assert.equal(start.status, 302, await start.text());
    jar.take(start);
    let location = start.headers.get('location') as string;
    assert.ok(location.startsWith(`${issuer}/auth?`), location);
    const auth = new URL(location).searchParams;
    assert.deepEqual([auth.get('code_challenge_method'), auth.get('response_type'), auth.get('client_id')], ['S256', 'code', 'riposte']);
    for (let hops = 0; hops < 12; hops++) {
      if (location.startsWith(`${api.url}/v1/auth/oidc/callback`)) {
        const callback = await fetch(location, { redirect: 'manual', headers: { cookie: jar.header() } });
        jar.take(callback);
        return { callback, jar, callbackUrl: location };
      }
      const url = new URL(location, issuer).href;
      let res = await fetch(url, { redirect: 'manual', headers: { cookie: idpJar.header() } });
      idpJar.take(res);
      if (url.startsWith(`${issuer}/interaction/`) && res.status === 200) {
        const page = await res.text();
        const form: Record<string, string> = page.includes('name="login"') ? { prompt: 'login', login, password: 'anything' } : { prompt: 'consent' };
        res = await fetch(url, { method: 'POST', redirect: 'manual', headers: { cookie: idpJar.header(), 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });
        idpJar.take(res);
      }
      assert.ok([302, 303].includes(res.status), `${url} answered ${res.status}`);
      location = res.headers.get('location') as string;
    }
    throw new Error('the sign-in did not come back to Riposte');
  }

  const withCookie = (jar: Jar, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${api.url}${path}`, { method, headers: { cookie: jar.header(), ...(body ? { 'content-type': 'application/json' } : {}), ...headers }, ...(body ? { body: JSON.stringify(body) } : {}) });

  it('tells the console’s sign-in page that single sign-on is on, and where to begin', async () => {
    const methods = await (await fetch(`${api.url}/v1/auth/methods`)).json();
    assert.deepEqual(methods, { token: true, singleSignOn: { login: '/v1/auth/oidc/login?returnTo=/' } });
    const begin = await fetch(`${api.url}${methods.singleSignOn.login}`, { redirect: 'manual' });
    assert.equal(begin.status, 302, 'the link leads to the identity provider');
  });

  it('an analyst signs in through the provider: lands where they were going, with their role from the groups claim; writes need the CSRF token', async () => {
    const { callback, jar } = await signIn('alice', '/v1/auth/session');
    assert.equal(callback.status, 303);
    assert.equal(callback.headers.get('location'), '/v1/auth/session');
    const cookies = callback.headers.getSetCookie().join('\n');
    assert.match(cookies, /riposte_session=[^;]+;.*HttpOnly/i);
    assert.match(cookies, /riposte_session=[^;]+;.*SameSite=Lax/i);
    assert.doesNotMatch(cookies.split('\n').find((c) => c.startsWith('riposte_csrf=')) as string, /HttpOnly/i, 'the page can read the CSRF token');

    const me = await withCookie(jar, 'GET', '/v1/auth/session');
    const body = await json(me);
    assert.deepEqual([body.name, body.role, body.kind], ['alice', 'analyst', 'session']);
    assert.equal((await withCookie(jar, 'GET', '/v1/cases')).status, 200);
    assert.equal((await withCookie(jar, 'GET', '/v1/users')).status, 403, 'an analyst is not an admin');

    const indicator = { type: 'domain', value: 'sso-test.example', description: 'from a signed-in analyst' };
    const forged = await withCookie(jar, 'POST', '/v1/indicators', indicator);
    assert.equal(forged.status, 403, 'a write with the cookie alone (as a page elsewhere could send) is refused');
    assert.match((await json(forged)).detail, /CSRF token/);
    assert.equal((await withCookie(jar, 'POST', '/v1/indicators', indicator, { 'X-CSRF-Token': 'not-the-token' })).status, 403);
    const listed = await api.request('GET', '/v1/indicators', { token: TOKENS.analyst });
    assert.ok(!listed.body.indicators.some((i: { value: string }) => i.value === 'sso-test.example'), 'the refused writes changed nothing');
    const made = await withCookie(jar, 'POST', '/v1/indicators', indicator, { 'X-CSRF-Token': jar.get('riposte_csrf') as string });
    assert.equal(made.status, 201);
    assert.equal((await json(made)).createdBy, 'alice', 'the person is recorded');

    const trail = (await api.audit.list({ actor: 'alice', limit: 20 }));
    const signedIn = trail.find((e) => e.action === 'signInCallback');
    assert.deepEqual([signedIn?.outcome, signedIn?.role, (signedIn?.detail as { subject?: string }).subject], ['ok', 'analyst', `${issuer}/ sub-alice`]);
    assert.ok(trail.some((e) => e.action === 'addIndicator' && e.status === 403), 'the refused write is audited');
  });

  it('an admin is an admin; the session works as a bearer token for scripts; signing out ends it', async () => {
    const { callback, jar } = await signIn('ada');
    assert.equal(callback.status, 200);
    const session = await json(callback);
    assert.deepEqual([session.name, session.role], ['ada', 'admin']);
    assert.equal(session.token, jar.get('riposte_session'));
    assert.equal((await api.request('GET', '/v1/users', { token: session.token })).status, 200, 'bearer use needs no CSRF token');

    const out = await withCookie(jar, 'POST', '/v1/auth/logout', undefined, { 'X-CSRF-Token': session.csrfToken });
    assert.equal(out.status, 204);
    assert.equal((await api.request('GET', '/v1/auth/session', { token: session.token })).status, 401, 'the session is gone');
  });

  it('refuses a person with no Riposte role, one disabled in Riposte, a replayed or foreign callback, and a returnTo to another site', async () => {
    const nobody = await signIn('mallory');
    assert.equal(nobody.callback.status, 403);
    assert.match((await json(nobody.callback)).detail, /mallory has no Riposte role: their groups claim names none of RIPOSTE_OIDC_ROLES/);
    assert.equal(nobody.jar.get('riposte_session'), undefined, 'no session');
    assert.ok((await api.audit.list({ actor: 'mallory', limit: 5 })).some((e) => e.action === 'signInCallback' && e.outcome === 'refused'));

    await api.users.add('dan', 'viewer', 'ada');
    await api.users.disable('dan', 'ada');
    const disabled = await signIn('dan');
    assert.equal(disabled.callback.status, 403);
    assert.match((await json(disabled.callback)).detail, /dan is disabled in Riposte/);

    // A session whose person is disabled later stops at the next request.
    const eve = await signIn('eve');
    const token = (await json(eve.callback)).token;
    assert.equal((await api.request('GET', '/v1/cases', { token })).status, 200);
    await api.users.add('eve', 'analyst', 'ada');
    await api.users.disable('eve', 'ada');
    assert.equal((await api.request('GET', '/v1/cases', { token })).status, 401);

    // The same callback again (a replayed code), and one reaching a browser that did not start it.
    const replayed = await fetch(eve.callbackUrl, { redirect: 'manual', headers: { cookie: `riposte_sign_in=${new URL(eve.callbackUrl).searchParams.get('state')}` } });
    assert.equal(replayed.status, 400);
    assert.match((await json(replayed)).detail, /expired or was used already/);
    const alice = await fetch(`${api.url}/v1/auth/oidc/login`, { redirect: 'manual' });
    const state = new URL(alice.headers.get('location') as string).searchParams.get('state');
    const foreign = await fetch(`${api.url}/v1/auth/oidc/callback?code=stolen&state=${state}`, { redirect: 'manual' });
    assert.equal(foreign.status, 400);
    assert.match((await json(foreign)).detail, /not started from this browser/);

    const away = await fetch(`${api.url}/v1/auth/oidc/login?returnTo=${encodeURIComponent('//evil.test/x')}`, { redirect: 'manual' });
    assert.equal(away.status, 400);
  });
});
