// The one way integrations speak HTTP: global fetch (so nock can intercept it), a timeout
// tied to activity cancellation, a span per call, and HTTP status → Temporal failure mapping.
import { SpanStatusCode } from '@opentelemetry/api';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { tracer } from '../../telemetry/index.ts';
import { ErrorType } from './errors.ts';
import type { RateLimiter } from './rate-limit.ts';

export interface HttpRequest {
  /** Integration name, used in failure messages and span names. */
  integration: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  /** Serialized as JSON unless it is already a string or URLSearchParams. */
  body?: unknown;
  timeoutMs?: number;
  /** The integration's worker-wide rate limit: the request waits its turn rather than earn a 429. */
  limiter?: RateLimiter;
}

export interface HttpResponse<T> {
  status: number;
  headers: Headers;
  body: T;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Sends one request. 2xx and 404 are returned (404 is data: "not found"); every other status
 * throws an ApplicationFailure whose `type` says whether retrying can help. Messages name the
 * integration and status, never the URL query or headers, so secrets cannot leak through them.
 */
export async function httpRequest<T = unknown>(req: HttpRequest): Promise<HttpResponse<T>> {
  return req.limiter ? req.limiter.run(() => send<T>(req)) : send<T>(req);
}

async function send<T>(req: HttpRequest): Promise<HttpResponse<T>> {
  const { body, headers } = encodeBody(req.body, req.headers ?? {});
  return tracer.startActiveSpan(`${req.integration} ${req.method}`, async (span) => {
    span.setAttribute('http.request.method', req.method);
    span.setAttribute('server.address', safeHost(req.url));
    try {
      const res = await fetch(req.url, {
        method: req.method,
        headers,
        body,
        signal: requestSignal(req.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      }).catch((err: unknown) => {
        throw ApplicationFailure.create({
          type: ErrorType.unavailable,
          message: `${req.integration}: request failed (${describeNetworkError(err)})`,
        });
      });
      span.setAttribute('http.response.status_code', res.status);
      const parsed = (await readBody(res)) as T;
      if ((res.status >= 200 && res.status < 300) || res.status === 404) {
        return { status: res.status, headers: res.headers, body: parsed };
      }
      throw failureForStatus(req.integration, res, parsed);
    } catch (err) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
      throw err;
    } finally {
      span.end();
    }
  });
}

export function failureForStatus(integration: string, res: Response, body: unknown): ApplicationFailure {
  const detail = vendorMessage(body);
  const message = `${integration}: HTTP ${res.status}${detail ? ` — ${detail}` : ''}`;
  if (res.status === 401 || res.status === 403) {
    return ApplicationFailure.create({ type: ErrorType.auth, message, nonRetryable: true });
  }
  if (res.status === 429) {
    const delay = retryAfterMs(res.headers.get('retry-after'));
    return ApplicationFailure.create({ type: ErrorType.rateLimited, message, nextRetryDelay: delay });
  }
  if (res.status >= 500) return ApplicationFailure.create({ type: ErrorType.unavailable, message });
  return ApplicationFailure.create({ type: ErrorType.request, message, nonRetryable: true });
}

/** Retry-After is seconds or an HTTP date; absent or unreadable means "a minute". */
export function retryAfterMs(header: string | null, now = Date.now()): number {
  if (header) {
    const seconds = Number(header);
    if (Number.isFinite(seconds) && seconds >= 0) return Math.max(1000, Math.round(seconds * 1000));
    const at = Date.parse(header);
    if (!Number.isNaN(at)) return Math.max(1000, at - now);
  }
  return 60_000;
}

function encodeBody(body: unknown, headers: Record<string, string>): { body?: string; headers: Record<string, string> } {
  const h = { accept: 'application/json', ...headers };
  if (body === undefined) return { headers: h };
  if (body instanceof URLSearchParams) return { body: body.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', ...h } };
  if (typeof body === 'string') return { body, headers: h };
  return { body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...h } };
}

function requestSignal(timeoutMs: number): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    return AbortSignal.any([timeout, Context.current().cancellationSignal]);
  } catch {
    return timeout; // outside an activity (a script, a unit test of the client)
  }
}

async function readBody(res: Response): Promise<unknown> {
  const text = await res.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text.slice(0, 500);
  }
}

/** The vendor's own error text, when it sends one, trimmed. */
function vendorMessage(body: unknown): string | undefined {
  if (typeof body === 'string') return body.slice(0, 200) || undefined;
  if (!body || typeof body !== 'object') return undefined;
  const b = body as Record<string, unknown>;
  const candidates: unknown[] = [
    (b.error as Record<string, unknown> | undefined)?.message,
    (b.error as Record<string, unknown> | undefined)?.code,
    Array.isArray(b.errors) ? (b.errors[0] as Record<string, unknown> | undefined)?.detail : undefined,
    Array.isArray(b.errorMessages) ? b.errorMessages[0] : undefined,
    b.message,
  ];
  const found = candidates.find((c) => typeof c === 'string' && c.length > 0) as string | undefined;
  return found?.slice(0, 200);
}

function describeNetworkError(err: unknown): string {
  if (err instanceof Error) {
    if (err.name === 'TimeoutError') return 'timed out';
    if (err.name === 'AbortError') return 'cancelled';
    const code = (err.cause as { code?: string } | undefined)?.code;
    return code ?? err.name;
  }
  return 'unknown error';
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'invalid';
  }
}
