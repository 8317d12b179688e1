// Single sign-on (OpenID Connect, authorization code with PKCE) through openid-client: the
// provider's metadata is discovered once (and again after a failure); a sign-in's state, nonce
// and code verifier wait in users.db until its callback, which may reach another API replica.
import * as oidc from 'openid-client';
import type { OidcConfig } from '../../config/oidc.ts';
import { roleFromClaim } from '../../config/oidc.ts';
import type { Role } from '../../core/roles.ts';
import type { UserStore } from '../../store/users.ts';
import { HttpError } from '../problem.ts';

export interface SignedIn {
  name: string;
  role: Role;
  /** issuer and sub: who the provider says this is, for the audit trail. */
  subject: string;
  returnTo?: string;
}

/** Names go into logs, case records and a shell (the users store's alphabet). */
const SAFE_NAME = /^[a-z0-9][a-z0-9._@-]{0,63}$/i;

/** The provider vouched for someone Riposte does not let in (named, for the audit trail). */
export class SignInRefused extends HttpError {
  constructor(
    message: string,
    readonly who: string
  ) {
    super(403, message);
  }
}

export class OidcSignIn {
  private discovered?: Promise<oidc.Configuration>;

  constructor(
    readonly config: OidcConfig,
    private readonly users: UserStore
  ) {}

  /** The provider's authorization URL for a new sign-in, and the state the browser must bring back. */
  async begin(returnTo?: string): Promise<{ url: URL; state: string }> {
    const provider = await this.provider();
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    await this.users.beginSignIn(state, { verifier, nonce, ...(returnTo ? { returnTo } : {}) });
    const url = oidc.buildAuthorizationUrl(provider, {
      redirect_uri: this.config.redirectUrl.href,
      scope: this.config.scopes,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url, state };
  }

  /**
   * The provider's answer at the callback: the code exchanged (with the verifier), the ID token
   * checked (issuer, audience, nonce, signature), the person's name and role read from its claims
   * (or the userinfo endpoint). `browserState` is the state the sign-in cookie carried.
   */
  async finish(query: URLSearchParams, browserState: string | undefined): Promise<SignedIn> {
    const error = query.get('error');
    if (error) throw new HttpError(401, `the identity provider refused the sign-in: ${error}${query.get('error_description') ? ` (${query.get('error_description')})` : ''}`);
    const state = query.get('state');
    if (!state || !query.get('code')) throw new HttpError(400, 'the callback needs code and state from the identity provider');
    // Bound to this browser: a callback from a sign-in someone else began is refused.
    if (state !== browserState) throw new HttpError(400, 'this sign-in was not started from this browser (state does not match); start again at /v1/auth/oidc/login');
    const pending = await this.users.takeSignIn(state);
    if (!pending) throw new HttpError(400, 'this sign-in has expired or was used already; start again at /v1/auth/oidc/login');
    const provider = await this.provider();
    const current = new URL(this.config.redirectUrl.href);
    current.search = query.toString();
    let claims: Record<string, unknown>;
    try {
      const tokens = await oidc.authorizationCodeGrant(provider, current, { pkceCodeVerifier: pending.verifier, expectedState: state, expectedNonce: pending.nonce, idTokenExpected: true });
      claims = { ...(tokens.claims() ?? {}) };
      if (claims[this.config.roleClaim] === undefined || claims[this.config.nameClaim] === undefined) {
        claims = { ...(await oidc.fetchUserInfo(provider, tokens.access_token, String(claims.sub))), ...claims };
      }
    } catch (err) {
      if (err instanceof HttpError) throw err;
      this.discovered = undefined; // keys or endpoints may have changed: discover again next time
      throw new HttpError(401, `the sign-in could not be verified: ${err instanceof Error ? err.message : String(err)}`);
    }
    const name = [claims[this.config.nameClaim], claims.email, claims.sub].find((v): v is string => typeof v === 'string' && SAFE_NAME.test(v));
    const subject = `${this.config.issuer.href} ${String(claims.sub)}`;
    if (!name) throw new HttpError(403, `the identity provider gave no usable name (${this.config.nameClaim}, email or sub: 1–64 letters, digits and . _ @ -)`);
    const role = roleFromClaim(this.config, claims[this.config.roleClaim]);
    if (!role) throw new SignInRefused(`${name} has no Riposte role: their ${this.config.roleClaim} claim names none of RIPOSTE_OIDC_ROLES`, name);
    return { name, role, subject, ...(pending.returnTo ? { returnTo: pending.returnTo } : {}) };
  }

  private provider(): Promise<oidc.Configuration> {
    this.discovered ??= oidc
      .discovery(
        this.config.issuer,
        this.config.clientId,
        this.config.clientSecret ? this.config.clientSecret.reveal() : undefined,
        this.config.clientSecret ? undefined : oidc.None(),
        this.config.insecureLoopback ? { execute: [oidc.allowInsecureRequests] } : undefined
      )
      .catch((err: unknown) => {
        this.discovered = undefined;
        throw new HttpError(503, `the identity provider at ${this.config.issuer.href} could not be reached: ${err instanceof Error ? err.message : String(err)}`, undefined, { 'Retry-After': '10' });
      });
    return this.discovered;
  }
}
