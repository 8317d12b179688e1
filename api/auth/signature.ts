// Signed webhooks: `X-Riposte-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
// Checked on the raw bytes before anything parses them, compared in constant time, and a
// timestamp more than five minutes away is refused. Several v1 values (and several secrets per
// source) allow rotating a secret without downtime.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Secret } from '../../config/secret.ts';

export const SIGNATURE_HEADER = 'x-riposte-signature';
export const TOLERANCE_SECONDS = 300;

export type SignatureCheck = { ok: true; t: number; v1: string } | { ok: false; reason: string };

export function parseSignature(header: string): { t?: number; v1: string[] } {
  const out: { t?: number; v1: string[] } = { v1: [] };
  for (const part of header.split(',')) {
    const [k, v] = part.trim().split('=', 2);
    if (k === 't' && v && /^\d{1,12}$/.test(v)) out.t = Number(v);
    else if (k === 'v1' && v && /^[0-9a-f]{64}$/i.test(v)) out.v1.push(v.toLowerCase());
  }
  return out;
}

export function sign(secret: string, t: number, body: Buffer | string): string {
  return createHmac('sha256', secret).update(`${t}.`).update(body).digest('hex');
}

/** The reason is for the server log only; the caller answers 401 and nothing more. */
export function verifySignature(header: string, body: Buffer, secrets: Secret[], nowSeconds = Math.floor(Date.now() / 1000)): SignatureCheck {
  const { t, v1 } = parseSignature(header);
  if (t === undefined || v1.length === 0) return { ok: false, reason: 'malformed signature header' };
  if (Math.abs(nowSeconds - t) > TOLERANCE_SECONDS) return { ok: false, reason: 'timestamp outside the tolerance' };
  if (secrets.length === 0) return { ok: false, reason: 'no secret configured for this source' };
  for (const secret of secrets) {
    const expected = Buffer.from(sign(secret.reveal(), t, body), 'hex');
    for (const given of v1) {
      if (timingSafeEqual(expected, Buffer.from(given, 'hex'))) return { ok: true, t, v1: given };
    }
  }
  return { ok: false, reason: 'no signature matches' };
}
