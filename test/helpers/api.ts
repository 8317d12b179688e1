// The Riposte API under test: createApp on an ephemeral loopback port with known tokens.
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import { createApp } from '../../api/app.ts';
import { Secret } from '../../config/secret.ts';
import { createLogger } from '../../telemetry/logger.ts';
import type { PlaybookSettings } from '../../workflows/definitions.ts';

export const TOKENS = {
  source: 'test-source-token-0123456789',
  analyst: 'test-analyst-token-0123456789',
  analyst2: 'test-analyst2-token-0123456789',
};

export interface TestApi {
  url: string;
  request(method: string, path: string, opts?: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> }): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

export async function startApi(opts: { client: Client; taskQueue: string; settings?: Partial<PlaybookSettings>; maxBodyBytes?: number }): Promise<TestApi> {
  const app = createApp({
    client: opts.client,
    tokens: [
      { token: new Secret(TOKENS.source), role: 'source', name: 'test-source' },
      { token: new Secret(TOKENS.analyst), role: 'analyst', name: 'alice' },
      { token: new Secret(TOKENS.analyst2), role: 'analyst', name: 'bob' },
    ],
    logger: createLogger(process.env.RIPOSTE_TEST_LOG ?? 'silent', 'api-test'),
    taskQueue: opts.taskQueue,
    settings: { approvalTimeout: '10m', onApprovalTimeout: 'none', ...opts.settings },
    maxBodyBytes: opts.maxBodyBytes ?? 64 * 1024,
    version: 'test',
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    async request(method, path, o = {}) {
      const headers: Record<string, string> = { ...o.headers };
      if (o.token) headers.authorization = `Bearer ${o.token}`;
      let body: string | undefined = o.raw;
      if (o.body !== undefined) {
        body = JSON.stringify(o.body);
        headers['content-type'] ??= 'application/json';
      }
      const res = await fetch(`${url}${path}`, { method, headers, body });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {}
      return { status: res.status, body: parsed, headers: res.headers };
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
