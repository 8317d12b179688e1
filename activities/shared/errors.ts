// Failure types every integration uses. Workflows and retry policies match on `type`,
// never on message text.
export const ErrorType = {
  /** 401/403: credentials are wrong or lack permission; retrying cannot help. */
  auth: 'IntegrationAuthError',
  /** 400 and other 4xx the vendor rejects as malformed; retrying cannot help. */
  request: 'IntegrationRequestError',
  /** 429: retried after the vendor's Retry-After. */
  rateLimited: 'RateLimitedError',
  /** 5xx, timeouts and network errors: retried with backoff. */
  unavailable: 'IntegrationUnavailableError',
  /** The input itself is unusable (not an IP, not a domain). */
  invalidInput: 'InvalidObservableError',
  /**
   * A quick call (a local activity, which cannot heartbeat) would have to wait longer than it may
   * for its integration's rate limit; the workflow asks again with a regular activity, which waits.
   */
  wouldWait: 'RateLimitWouldWaitError',
  /** A local tool (nft, dc3dd) failed. */
  tool: 'ToolError',
} as const;
export type ErrorType = (typeof ErrorType)[keyof typeof ErrorType];
