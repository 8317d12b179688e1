import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../config/index.ts';
import { resolveTokens } from '../../config/tokens.ts';
import { roleFromClaim } from '../../config/oidc.ts';
import { createLogger } from '../../telemetry/logger.ts';

describe('configuration from the environment', () => {
  it('defaults to the embedded stack: port 8080, ./data, log-only containment, no integrations', () => {
    const c = loadConfig({});
    assert.equal(c.port, 8080);
    assert.equal(c.dataDir, path.resolve('data'));
    assert.deepEqual(c.containment.live, [], 'log-only: no driver acts for real');
    assert.equal(c.temporal.address, undefined);
    assert.equal(c.telemetry.exporter, 'none');
  });

  it('reports every problem at once, naming the variable', () => {
    const err = (() => {
      try {
        loadConfig({ RIPOSTE_PORT: 'eighty', RIPOSTE_CONTAINMENT: 'iptables', RIPOSTE_APPROVAL_TIMEOUT: 'soon', RIPOSTE_SESSION_TTL: 'x', RIPOSTE_OIDC_ISSUER: 'https://login.corp.test', RIPOSTE_OIDC_CLIENT_ID: 'r' });
      } catch (e) {
        return e;
      }
    })();
    assert.ok(err instanceof ConfigError);
    assert.equal(err.problems.length, 4, err.message);
    assert.match(err.message, /RIPOSTE_PORT must be an integer/);
    assert.match(err.message, /RIPOSTE_CONTAINMENT must be log-only or a list of nftables, crowdstrike, defender, sentinelone, aws \(unknown: iptables\)/);
    assert.match(err.message, /RIPOSTE_APPROVAL_TIMEOUT must be a duration/);
    assert.match(err.message, /RIPOSTE_SESSION_TTL must be a duration/);
  });

  it('parses RIPOSTE_TOKENS as token:role[:name] and refuses unknown roles', () => {
    const c = loadConfig({ RIPOSTE_TOKENS: 'aaaaaaaaaaaaaaaa1:source,bbbbbbbbbbbbbbbb2:analyst:alice' });
    assert.deepEqual(c.tokens?.map((t) => [t.role, t.name]), [['source', 'source'], ['analyst', 'alice']]);
    assert.deepEqual(loadConfig({ RIPOSTE_TOKENS: 'aaaaaaaaaaaaaaaa1:admin:ada,bbbbbbbbbbbbbbbb2:viewer' }).tokens?.map((t) => [t.role, t.name]), [['admin', 'ada'], ['viewer', 'viewer']]);
    assert.throws(() => loadConfig({ RIPOSTE_TOKENS: 'aaaaaaaaaaaaaaaa1:root' }), /role one of viewer, analyst, admin, source/);
    assert.throws(() => loadConfig({ RIPOSTE_TOKENS: 'short:source' }), /at least 16 characters/);
  });

  it('never prints a secret: JSON, inspect, string and logs all say [redacted]', () => {
    const secret = 'super-secret-oidc-client-secret-0123456789';
    const c = loadConfig({ RIPOSTE_OIDC_ISSUER: 'https://login.corp.test', RIPOSTE_OIDC_CLIENT_ID: 'riposte', RIPOSTE_OIDC_CLIENT_SECRET: secret, RIPOSTE_TOKENS: 'tttttttttttttttttttt:analyst' });
    assert.ok(!JSON.stringify(c).includes(secret));
    assert.ok(!inspect(c, { depth: 10 }).includes(secret));
    assert.ok(!`${c.oidc?.clientSecret}`.includes(secret));
    assert.equal(c.oidc?.clientSecret?.reveal(), secret);
    const lines: string[] = [];
    const logger = createLogger('info', 'test');
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => (lines.push(String(chunk)), true)) as typeof process.stdout.write;
    try {
      logger.info({ config: c, headers: { authorization: 'Bearer tttttttttttttttttttt' } }, 'config loaded');
      logger.flush();
    } finally {
      process.stdout.write = write;
    }
    const out = lines.join('');
    assert.ok(!out.includes(secret) && !out.includes('tttttttttttttttttttt'), out);
  });

  it('with RIPOSTE_TOKENS unset, generates one token per role once, in a 0600 file under the data dir', () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'riposte-tokens-'));
    try {
      const first = resolveTokens({ dataDir });
      assert.equal(first.generated, true);
      assert.equal(first.file, path.join(dataDir, 'tokens.json'));
      assert.deepEqual(first.entries.map((e) => e.role), ['viewer', 'analyst', 'admin', 'source']);
      assert.equal(fs.statSync(first.file).mode & 0o777, 0o600);
      const again = resolveTokens({ dataDir });
      assert.equal(again.generated, false);
      assert.deepEqual(again.entries.map((e) => e.token.reveal()), first.entries.map((e) => e.token.reveal()));
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('points at an existing cluster with TEMPORAL_ADDRESS, namespace and API key (TLS implied)', () => {
    const c = loadConfig({ TEMPORAL_ADDRESS: 'acme.tmprl.cloud:7233', TEMPORAL_NAMESPACE: 'acme.ir', TEMPORAL_API_KEY: 'k'.repeat(40) });
    assert.equal(c.temporal.address, 'acme.tmprl.cloud:7233');
    assert.equal(c.temporal.namespace, 'acme.ir');
    assert.ok(c.temporal.tls, 'an API key implies TLS');
  });

  it('single sign-on: off by default; the provider, client and role map checked at start; the highest role a claim gives wins', () => {
    assert.equal(loadConfig({}).oidc, undefined);
    const c = loadConfig({ RIPOSTE_OIDC_ISSUER: 'https://login.corp.test/realms/soc', RIPOSTE_OIDC_CLIENT_ID: 'riposte', RIPOSTE_OIDC_ROLES: 'soc=analyst,soc-leads=admin', RIPOSTE_PORT: '9090' });
    assert.equal(c.oidc?.redirectUrl.href, 'http://127.0.0.1:9090/v1/auth/oidc/callback');
    assert.deepEqual([c.oidc?.roleClaim, c.oidc?.clientSecret, c.oidc?.sessionTtlMs], ['groups', undefined, 12 * 3_600_000]);
    assert.throws(
      () => loadConfig({ RIPOSTE_OIDC_ISSUER: 'http://login.corp.test', RIPOSTE_OIDC_ROLES: 'soc=root', RIPOSTE_SESSION_TTL: '90d' }),
      (e: unknown) =>
        e instanceof ConfigError &&
        /must use https/.test(e.message) &&
        /RIPOSTE_OIDC_CLIENT_ID is required/.test(e.message) &&
        /"soc=root" is not claim-value=viewer\|analyst\|admin/.test(e.message) &&
        /RIPOSTE_SESSION_TTL/.test(e.message)
    );
    assert.ok(loadConfig({ RIPOSTE_OIDC_ISSUER: 'http://127.0.0.1:9999', RIPOSTE_OIDC_CLIENT_ID: 'r' }).oidc?.insecureLoopback, 'plain http on loopback only');
    const roles = { roles: { soc: 'analyst', leads: 'admin' } as const };
    assert.equal(roleFromClaim(roles, ['staff', 'soc', 'leads']), 'admin');
    assert.equal(roleFromClaim(roles, 'staff soc'), 'analyst');
    assert.equal(roleFromClaim(roles, ['viewer']), 'viewer', 'a role\u2019s own name counts');
    assert.equal(roleFromClaim(roles, ['source', 'staff']), undefined, 'never the source role, never without a match');
  });
});
