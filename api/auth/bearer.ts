// Bearer tokens with roles. Tokens are looked up by their SHA-256, so the comparison never
// touches the secret's bytes one by one; failures say 401 and nothing more.
import { createHash } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Role, TokenEntry } from '../../config/index.ts';
import { HttpError } from '../problem.ts';

export interface Principal {
  name: string;
  role: Role;
}

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

const digest = (s: string) => createHash('sha256').update(s).digest('hex');

export function authenticator(tokens: TokenEntry[]): (roles: Role[] | 'public', unauthorized?: string) => RequestHandler {
  const byDigest = new Map(tokens.map((t) => [digest(t.token.reveal()), { name: t.name, role: t.role } satisfies Principal]));
  return (roles, unauthorized = 'a valid bearer token is required') => (req: Request, _res: Response, next: NextFunction) => {
    if (roles === 'public') return next();
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const principal = match ? byDigest.get(digest(match[1] as string)) : undefined;
    if (!principal) return next(new HttpError(401, unauthorized, undefined, { 'WWW-Authenticate': 'Bearer' }));
    if (!roles.includes(principal.role)) {
      return next(new HttpError(403, `this operation needs the ${roles.join(' or ')} role; the token has the ${principal.role} role`));
    }
    req.principal = principal;
    next();
  };
}
