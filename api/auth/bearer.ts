// Bearer tokens with roles: the configured ones (RIPOSTE_TOKENS or data/tokens.json — bootstrap
// and alert sources), people's personal tokens (data/users.db, `npm run users`) and single sign-on
// sessions — as a bearer token, or as the HttpOnly session cookie, with which every write must
// repeat the session's CSRF token in X-CSRF-Token (a page elsewhere cannot read it). Tokens are
// looked up by their SHA-256, so the comparison never touches the secret's bytes one by one;
// failures say 401 and nothing more. A route names the least role it needs: admin includes
// analyst, analyst includes viewer; source is apart.
import { createHash } from 'node:crypto';
import { parseCookie } from 'cookie';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { TokenEntry } from '../../config/index.ts';
import { roleAllows, type Role } from '../../core/roles.ts';
import type { UserStore } from '../../store/users.ts';
import { HttpError } from '../problem.ts';

export interface Principal {
  name: string;
  role: Role;
  /** A configured token, a person's own (users.db), or a single sign-on session. */
  kind: 'token' | 'user' | 'session';
  /** A session's end. */
  expiresAt?: string;
}

/** The single sign-on session cookie (HttpOnly) and its CSRF companion (readable by the page, to repeat in X-CSRF-Token). */
export const SESSION_COOKIE = 'riposte_session';
export const CSRF_COOKIE = 'riposte_csrf';
export const CSRF_HEADER = 'X-CSRF-Token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

const digest = (s: string) => createHash('sha256').update(s).digest('hex');

export function authenticator(tokens: TokenEntry[], users?: UserStore): (roles: Role[] | 'public', unauthorized?: string, opts?: { csrfExempt?: boolean }) => RequestHandler {
  const byDigest = new Map(tokens.map((t) => [digest(t.token.reveal()), { name: t.name, role: t.role, kind: 'token' } satisfies Principal]));
  const find = async (token: string): Promise<Principal | undefined> => {
    const configured = byDigest.get(digest(token));
    if (configured) return configured;
    const user = await users?.authenticate(token);
    if (user) return { name: user.name, role: user.role, kind: 'user' };
    const session = await users?.session(token);
    return session ? { name: session.name, role: session.role, kind: 'session', expiresAt: session.expiresAt } : undefined;
  };
  /** The session cookie's person; a write must bring the session's CSRF token, or it is refused (403). */
  const fromCookie = async (req: Request, csrfExempt: boolean): Promise<Principal | HttpError | undefined> => {
    const token = req.get('cookie') ? parseCookie(req.get('cookie') as string)[SESSION_COOKIE] : undefined;
    const session = token ? await users?.session(token) : undefined;
    if (!session) return undefined;
    const principal: Principal = { name: session.name, role: session.role, kind: 'session', expiresAt: session.expiresAt };
    if (!SAFE_METHODS.has(req.method) && !csrfExempt && !users?.csrfMatches(session, req.get(CSRF_HEADER))) {
      req.principal = principal;
      return new HttpError(403, `a write with the session cookie must repeat its CSRF token in ${CSRF_HEADER} (the ${CSRF_COOKIE} cookie)`);
    }
    return principal;
  };
  return (roles, unauthorized = 'a valid bearer token is required', opts = {}) => async (req: Request, _res: Response, next: NextFunction) => {
    if (roles === 'public') return next();
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const cookie = match ? undefined : await fromCookie(req, opts.csrfExempt === true);
    if (cookie instanceof HttpError) return next(cookie);
    const principal = match ? await find(match[1] as string) : cookie;
    if (!principal) return next(new HttpError(401, unauthorized, undefined, { 'WWW-Authenticate': 'Bearer' }));
    // Known, even when refused: the audit trail names who tried.
    req.principal = principal;
    if (!roles.some((need) => roleAllows(principal.role, need))) {
      return next(new HttpError(403, `this operation needs the ${roles.join(' or ')} role; ${principal.name} has the ${principal.role} role`));
    }
    next();
  };
}
