// The console's one way to the API: same origin, the session cookie, and the CSRF token repeated
// on every write. Types come from the API's own schemas.
import type { Static } from '@sinclair/typebox';
import type { CaseListResponse, CaseResponse } from '../../api/schemas.ts';

export type CaseList = Static<typeof CaseListResponse>;
export type CaseRow = CaseList['cases'][number];
export type CaseView = Static<typeof CaseResponse>;
export type Approval = CaseView['approvals'][number];
export type Action = CaseView['actions'][number];
export interface Me {
  name: string;
  role: string;
  kind?: string;
  expiresAt?: string;
}

// As api/auth/bearer.ts names them (imported there with express: not for the browser's bundle).
const CSRF_COOKIE = 'riposte_csrf';
const CSRF_HEADER = 'X-CSRF-Token';

/** What went wrong, in words for the page. */
export const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string
  ) {
    super(message);
  }
}

function csrfToken(): string | undefined {
  const entry = document.cookie.split('; ').find((c) => c.startsWith(`${CSRF_COOKIE}=`));
  return entry ? decodeURIComponent(entry.slice(CSRF_COOKIE.length + 1)) : undefined;
}

export async function api<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, opts: { body?: unknown; token?: string } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  else if (method !== 'GET') {
    const csrf = csrfToken();
    if (csrf) headers[CSRF_HEADER] = csrf;
  }
  const res = await fetch(path, { method, headers, credentials: 'same-origin', ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}) });
  if (!res.ok) {
    const problem = (await res.json().catch(() => undefined)) as { detail?: string; title?: string } | undefined;
    throw new ApiError(res.status, problem?.detail ?? problem?.title ?? `${res.status} ${res.statusText}`);
  }
  return (res.status === 204 ? undefined : await res.json()) as T;
}

/** Who the browser's session is; undefined when it has none. */
export async function whoAmI(): Promise<Me | undefined> {
  try {
    return await api<Me>('GET', '/v1/auth/session');
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return undefined;
    throw err;
  }
}

/** Trades a token for a session cookie: the token is sent once and not kept. */
export function signIn(token: string): Promise<Me> {
  return api<Me>('POST', '/v1/auth/sign-in', { token });
}

/** Whether this role may act on cases (decide approvals, undo, record verdicts). */
export const canAct = (role: string): boolean => role === 'analyst' || role === 'admin';

export function signOut(): Promise<void> {
  return api<void>('POST', '/v1/auth/logout');
}

/**
 * Calls `listener` with the ids of cases that changed, as the API tells them (GET /v1/events,
 * server-sent events with the session cookie; EventSource reconnects by itself). Returns the
 * function that stops listening.
 */
export function onCaseChanges(listener: (caseIds: string[]) => void): () => void {
  const source = new EventSource('/v1/events');
  source.addEventListener('cases', (e) => {
    const ids = (JSON.parse((e as MessageEvent<string>).data) as { caseIds?: string[] }).caseIds;
    if (ids?.length) listener(ids);
  });
  return () => source.close();
}
