// Bearer tokens with roles: the configured ones (RIPOSTE_TOKENS or data/tokens.json — bootstrap
// and alert sources) and people's personal tokens (data/users.db, `npm run users`). Tokens are
// looked up by their SHA-256, so the comparison never touches the secret's bytes one by one;
// failures say 401 and nothing more. A route names the least role it needs: admin includes
// analyst, analyst includes viewer; source is apart.
import { createHash } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { TokenEntry } from '../../config/index.ts';
import { roleAllows, type Role } from '../../core/roles.ts';
import type { UserStore } from '../../store/users.ts';
import { HttpError } from '../problem.ts';

export interface Principal {
  name: string;
  role: Role;
  /** A configured token, or a person's own (users.db). */
  kind: 'token' | 'user';
}

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

const digest = (s: string) => createHash('sha256').update(s).digest('hex');

export function authenticator(tokens: TokenEntry[], users?: UserStore): (roles: Role[] | 'public', unauthorized?: string) => RequestHandler {
  const byDigest = new Map(tokens.map((t) => [digest(t.token.reveal()), { name: t.name, role: t.role, kind: 'token' } satisfies Principal]));
  const find = (token: string): Principal | undefined => {
    const configured = byDigest.get(digest(token));
    if (configured) return configured;
    const user = users?.authenticate(token);
    return user ? { name: user.name, role: user.role, kind: 'user' } : undefined;
  };
  return (roles, unauthorized = 'a valid bearer token is required') => (req: Request, _res: Response, next: NextFunction) => {
    if (roles === 'public') return next();
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const principal = match ? find(match[1] as string) : undefined;
    if (!principal) return next(new HttpError(401, unauthorized, undefined, { 'WWW-Authenticate': 'Bearer' }));
    // Known, even when refused: the audit trail names who tried.
    req.principal = principal;
    if (!roles.some((need) => roleAllows(principal.role, need))) {
      return next(new HttpError(403, `this operation needs the ${roles.join(' or ')} role; ${principal.name} has the ${principal.role} role`));
    }
    next();
  };
}
