// People signing in: with a token (the console), through the SOC's OpenID Connect provider (when
// configured), who am I, and signing out. The session lives in users.db; the browser holds it as an HttpOnly
// cookie (with a readable CSRF token to repeat on writes), a script or CLI as a bearer token.
import { Type } from '@sinclair/typebox';
import type { Request, Response } from 'express';
import { parseCookie } from 'cookie';
import type { Role } from '../../core/roles.ts';
import { UserError, type IssuedSession, type UserStore } from '../../store/users.ts';
import type { AuditLog } from '../../store/audit.ts';
import { CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE } from '../auth/bearer.ts';
import { SignInRefused, type OidcSignIn } from '../auth/oidc.ts';
import type { RouteSpec } from '../openapi.ts';
import { HttpError } from '../problem.ts';
import { Problem } from '../schemas.ts';

/** The cookie that binds a sign-in to the browser that began it. */
const SIGN_IN_COOKIE = 'riposte_sign_in';
const SIGN_IN_PATH = '/v1/auth/oidc';

const Me = Type.Object({
  name: Type.String(),
  role: Type.String(),
  kind: Type.Union([Type.Literal('token'), Type.Literal('user'), Type.Literal('session')], { description: 'A configured token, a personal token, or a single sign-on session' }),
  expiresAt: Type.Optional(Type.String({ description: 'When a session ends' })),
});
const SignedIn = Type.Object({
  name: Type.String(),
  role: Type.String(),
  expiresAt: Type.String(),
  token: Type.String({ description: 'The session as a bearer token (for scripts); the browser has it as an HttpOnly cookie' }),
  csrfToken: Type.String({ description: `Repeat in ${CSRF_HEADER} on every write made with the session cookie` }),
});

/** How long a session started with a token lasts: RIPOSTE_SESSION_TTL when single sign-on is configured, else this. */
export const TOKEN_SESSION_TTL_MS = 12 * 60 * 60_000;

/** The console's sign-in answers the session without its token: the browser has it only as the HttpOnly cookie. */
const ConsoleSession = Type.Omit(SignedIn, ['token']);

/**
 * Starts a session and hands it to the browser: the HttpOnly session cookie and the readable
 * CSRF cookie, for as long as the session lasts. A person disabled in Riposte is refused (403).
 */
async function startSession(users: UserStore, res: Response, who: { name: string; role: Role; subject: string }, ttlMs: number, secure: boolean): Promise<IssuedSession> {
  let issued: IssuedSession;
  try {
    issued = await users.startSession(who, ttlMs);
  } catch (err) {
    if (err instanceof UserError) throw new HttpError(403, err.message);
    throw err;
  }
  const maxAge = Date.parse(issued.session.expiresAt) - Date.now();
  res.cookie(SESSION_COOKIE, issued.token.reveal(), { httpOnly: true, sameSite: 'lax', secure, path: '/', maxAge });
  res.cookie(CSRF_COOKIE, issued.csrf.reveal(), { httpOnly: false, sameSite: 'strict', secure, path: '/', maxAge });
  return issued;
}

export interface AuthRouteDeps {
  users?: UserStore;
  oidc?: OidcSignIn;
  audit?: AuditLog;
}

export function authRoutes(deps: AuthRouteDeps): RouteSpec[] {
  const routes: RouteSpec[] = [
    {
      method: 'get',
      path: '/v1/auth/session',
      operationId: 'whoAmI',
      summary: 'Who the caller is: name, role, and how they signed in',
      tags: ['people'],
      roles: ['viewer'],
      responses: { 200: { description: 'The caller', schema: Me } },
      handler: (req, res) => {
        const p = req.principal as NonNullable<Request['principal']>;
        res.json({ name: p.name, role: p.role, kind: p.kind, ...(p.expiresAt ? { expiresAt: p.expiresAt } : {}) });
      },
    },
    {
      method: 'get',
      path: '/v1/auth/methods',
      operationId: 'signInMethods',
      summary: 'How people may sign in here: a token, and single sign-on when it is configured',
      tags: ['people'],
      roles: 'public',
      responses: {
        200: {
          description: 'The sign-in page offers these',
          schema: Type.Object({ token: Type.Boolean(), singleSignOn: Type.Optional(Type.Object({ login: Type.String({ description: 'Where the browser goes to sign in' }) })) }),
        },
      },
      handler: (_req, res) => void res.json({ token: Boolean(deps.users), ...(deps.users && deps.oidc ? { singleSignOn: { login: '/v1/auth/oidc/login?returnTo=/' } } : {}) }),
    },
  ];
  const { users, oidc } = deps;
  if (!users) return routes;
  routes.push({
    method: 'post',
    path: '/v1/auth/sign-in',
    operationId: 'signInWithToken',
    summary: 'Start a browser session with a token: the console\u2019s sign-in',
    description:
      'The caller\u2019s bearer token (a personal token, or a configured one) starts a session of the same name and role (RIPOSTE_SESSION_TTL with single sign-on configured, else 12 hours): ' +
      `an HttpOnly ${SESSION_COOKIE} cookie and a readable ${CSRF_COOKIE} cookie (Secure when the request came over TLS). The token itself is not kept by the browser. ` +
      'A disabled person\u2019s session ends with them; POST /v1/auth/logout ends it.',
    tags: ['people'],
    roles: ['viewer'],
    responses: {
      200: { description: 'Signed in: the session\u2019s person and its CSRF token', schema: ConsoleSession },
      403: { description: 'The person is disabled in Riposte', schema: Problem },
      409: { description: 'The caller is a session already (send a token)', schema: Problem },
    },
    handler: async (req, res) => {
      const p = req.principal as NonNullable<Request['principal']>;
      if (p.kind === 'session') throw new HttpError(409, 'signed in already: a session starts from a token (Authorization: Bearer <token>)');
      res.locals.audit = { via: 'token', kind: p.kind };
      // Behind a TLS-terminating proxy the request says so; a Secure cookie is never less safe.
      const secure = req.secure || req.get('x-forwarded-proto') === 'https';
      const issued = await startSession(users, res, { name: p.name, role: p.role, subject: `token:${p.kind}` }, oidc?.config.sessionTtlMs ?? TOKEN_SESSION_TTL_MS, secure);
      res.json({ name: p.name, role: p.role, expiresAt: issued.session.expiresAt, csrfToken: issued.csrf.reveal() });
    },
  });
  routes.push({
    method: 'post',
    path: '/v1/auth/logout',
    operationId: 'signOut',
    summary: 'End the caller\u2019s session — single sign-on or console (the cookie\u2019s, or the bearer token\u2019s)',
    tags: ['people'],
    roles: ['viewer'],
    responses: { 204: { description: 'Signed out; the cookies are cleared' }, 409: { description: 'The caller is not signed in with a session (tokens are disabled or rotated instead)', schema: Problem } },
    handler: async (req, res) => {
      if (req.principal?.kind !== 'session') throw new HttpError(409, 'only a session signs out; a token is disabled or rotated (npm run users)');
      const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '')?.[1];
      const token = bearer ?? (req.get('cookie') ? parseCookie(req.get('cookie') as string)[SESSION_COOKIE] : undefined);
      if (token) await users.endSession(token);
      res.clearCookie(SESSION_COOKIE, { path: '/' }).clearCookie(CSRF_COOKIE, { path: '/' }).status(204).end();
    },
  });
  if (!oidc) return routes;
  const secure = oidc.config.redirectUrl.protocol === 'https:';
  routes.push(
    {
      method: 'get',
      path: '/v1/auth/oidc/login',
      operationId: 'signIn',
      summary: 'Sign in through the identity provider (OpenID Connect, authorization code with PKCE)',
      description: 'Redirects the browser to the provider; it comes back to /v1/auth/oidc/callback. `returnTo` is a path on this API to land on afterwards.',
      tags: ['people'],
      roles: 'public',
      query: Type.Object({ returnTo: Type.Optional(Type.String({ pattern: '^/(?![/\\\\])[^\\s]{0,500}$', description: 'A path on this API (never another site)' })) }),
      responses: { 302: { description: 'To the identity provider' }, 503: { description: 'The identity provider could not be reached', schema: Problem } },
      handler: async (req, res) => {
        const { returnTo } = req.query as { returnTo?: string };
        const { url, state } = await oidc.begin(returnTo);
        res.cookie(SIGN_IN_COOKIE, state, { httpOnly: true, sameSite: 'lax', secure, path: SIGN_IN_PATH, maxAge: 10 * 60_000 });
        res.redirect(302, url.href);
      },
    },
    {
      method: 'get',
      path: '/v1/auth/oidc/callback',
      operationId: 'signInCallback',
      summary: 'Where the identity provider sends the browser back: starts the session',
      description:
        'Checks the answer (state bound to the browser, code exchanged with the PKCE verifier, the ID token\u2019s signature, issuer, audience and nonce), reads the person\u2019s name and role from the configured claims, and starts a session: ' +
        `an HttpOnly ${SESSION_COOKIE} cookie and a readable ${CSRF_COOKIE} cookie. Redirects to returnTo, or answers the session as JSON.`,
      tags: ['people'],
      roles: 'public',
      audit: 'always',
      query: Type.Object({}, { additionalProperties: Type.String() }),
      responses: {
        200: { description: 'Signed in', schema: SignedIn },
        303: { description: 'Signed in; on to returnTo' },
        400: { description: 'Not a sign-in this browser began, or expired or used already', schema: Problem },
        401: { description: 'The provider refused, or its answer did not verify', schema: Problem },
        403: { description: 'The person has no Riposte role, or is disabled in Riposte', schema: Problem },
      },
      handler: async (req: Request, res: Response) => {
        const browserState = req.get('cookie') ? parseCookie(req.get('cookie') as string)[SIGN_IN_COOKIE] : undefined;
        res.clearCookie(SIGN_IN_COOKIE, { path: SIGN_IN_PATH });
        const query = new URLSearchParams(req.originalUrl.split('?')[1] ?? '');
        let who;
        try {
          who = await oidc.finish(query, browserState);
        } catch (err) {
          if (err instanceof SignInRefused) res.locals.auditActor = { name: err.who };
          throw err;
        }
        res.locals.auditActor = { name: who.name, role: who.role };
        res.locals.audit = { via: 'oidc', subject: who.subject };
        const issued = await startSession(users, res, who, oidc.config.sessionTtlMs, secure);
        if (who.returnTo) return void res.redirect(303, who.returnTo);
        res.json({ name: who.name, role: who.role, expiresAt: issued.session.expiresAt, token: issued.token.reveal(), csrfToken: issued.csrf.reveal() });
      },
    }
  );
  return routes;
}
