// Whether a store's error means the database is away for now (restarting, unreachable, busy),
// so the request may be sent again shortly: the API answers 503 with Retry-After, not 500.

/** PostgreSQL SQLSTATE classes and codes that mean "not now": connection exceptions, shutdown, starting up, too many connections. */
const PG_UNAVAILABLE = /^(08|57P0[1-3]|53300)/;
/** What Node and `pg` say when the connection itself is gone or never came. */
const CONNECTION_LOST = /^(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND)$/;
const CONNECTION_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i;

export function storeUnavailable(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const { code, message } = err as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') return true;
    if (CONNECTION_LOST.test(code)) return true;
    if (/^[0-9A-Z]{5}$/.test(code) && PG_UNAVAILABLE.test(code)) return true;
  }
  return typeof message === 'string' && CONNECTION_MESSAGES.test(message);
}
