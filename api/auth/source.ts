// Who may post to a source endpoint: a valid signature with that source's secret, or a bearer
// token of role `source`. With a signature header present, the signature alone decides.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Secret } from '../../config/secret.ts';
import type { Logger } from '../../telemetry/logger.ts';
import { HttpError } from '../problem.ts';
import { SIGNATURE_HEADER, verifySignature } from './signature.ts';

export const SOURCE_UNAUTHORIZED = 'a valid signature or bearer token is required';

const unauthorized = () => new HttpError(401, SOURCE_UNAUTHORIZED, undefined, { 'WWW-Authenticate': 'Bearer' });

/** Before the body is read: bearer requests are checked now, signed ones after. */
export function sourceAuthBefore(bearer: RequestHandler): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => (req.get(SIGNATURE_HEADER) ? next() : bearer(req, res, next));
}

/** After the raw body is read: verify the signature over those exact bytes. */
export function sourceAuthAfter(source: string, secrets: Secret[], logger: Pick<Logger, 'warn'>): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    const header = req.get(SIGNATURE_HEADER);
    if (!header) return next();
    const check = verifySignature(header, Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0), secrets);
    if (!check.ok) {
      logger.warn({ source, reason: check.reason }, 'refused a signed request');
      return next(unauthorized());
    }
    req.principal = { name: `signed:${source}`, role: 'source', kind: 'token' };
    next();
  };
}
