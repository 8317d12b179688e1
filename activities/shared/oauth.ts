// OAuth 2.0 client-credentials tokens for vendor APIs (CrowdStrike, Microsoft): fetched when
// needed, kept until a minute before they expire, never logged.
import type { Secret } from '../../config/secret.ts';
import { httpRequest, type HttpRequest } from './http.ts';

export interface ClientCredentials {
  integration: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: Secret;
  /** Extra form fields (Microsoft wants `scope`). */
  extra?: Record<string, string>;
  timeoutMs?: number;
}

export class TokenSource {
  private token?: { value: string; expiresAt: number };
  private pending?: Promise<string>;

  constructor(private readonly c: ClientCredentials) {}

  async get(): Promise<string> {
    if (this.token && Date.now() < this.token.expiresAt) return this.token.value;
    this.pending ??= this.fetch().finally(() => (this.pending = undefined));
    return this.pending;
  }

  /** Forget the token (after a 401, the next call fetches a new one). */
  reset(): void {
    this.token = undefined;
  }

  /** Runs a call with the current token; a token the vendor refuses is dropped for the next call. */
  async authorized<T>(call: (bearer: string) => Promise<T>): Promise<T> {
    try {
      return await call(`Bearer ${await this.get()}`);
    } catch (err) {
      if ((err as { type?: string }).type === 'IntegrationAuthError') this.reset();
      throw err;
    }
  }

  private async fetch(): Promise<string> {
    const res = await httpRequest<{ access_token: string; expires_in?: number }>({
      integration: this.c.integration,
      method: 'POST',
      url: this.c.tokenUrl,
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: this.c.clientId, client_secret: this.c.clientSecret.reveal(), ...this.c.extra }),
      timeoutMs: this.c.timeoutMs,
    });
    const ttl = Math.max(60, res.body.expires_in ?? 1800);
    this.token = { value: res.body.access_token, expiresAt: Date.now() + (ttl - 60) * 1000 };
    return this.token.value;
  }
}

/** A call to an OAuth-protected vendor API with the current token; 404 answers null. */
export async function oauthCall<T>(tokens: TokenSource, req: HttpRequest): Promise<T | null> {
  const res = await tokens.authorized((authorization) => httpRequest<T>({ ...req, headers: { ...req.headers, authorization } }));
  return res.status === 404 ? null : res.body;
}
