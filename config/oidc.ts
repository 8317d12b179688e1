// Single sign-on for people: OpenID Connect (authorization code with PKCE) against the SOC's
// identity provider. Off unless RIPOSTE_OIDC_ISSUER is set. The provider's claim (groups, say)
// gives the role; tokens and sources are untouched by it.
import { parseDuration } from '../core/duration.ts';
import { isRole, type Role } from '../core/roles.ts';
import { Secret } from './secret.ts';

export interface OidcConfig {
  issuer: URL;
  clientId: string;
  /** A confidential client's secret; without it Riposte is a public client (PKCE alone). */
  clientSecret?: Secret;
  /** Where the provider sends people back: this API's /v1/auth/oidc/callback as the browser reaches it. */
  redirectUrl: URL;
  scopes: string;
  /** The claim naming the person (then email, then sub). */
  nameClaim: string;
  /** The claim carrying their groups or roles (a string or a list). */
  roleClaim: string;
  /** Claim value → role; a value that is a role's name (viewer, analyst, admin) counts as that role. */
  roles: Record<string, Role>;
  /** How long a session lasts. */
  sessionTtlMs: number;
  /** Plain-HTTP providers are allowed on loopback only (a test or a lab). */
  insecureLoopback: boolean;
}

const PERSON_ROLES = new Set<Role>(['viewer', 'analyst', 'admin']);

export function parseOidc(get: (name: string) => string | undefined, api: { host: string; port: number }, problems: string[]): OidcConfig | undefined {
  const issuerRaw = get('RIPOSTE_OIDC_ISSUER');
  if (!issuerRaw) return undefined;
  const issuer = toUrl(issuerRaw);
  if (!issuer) {
    problems.push('RIPOSTE_OIDC_ISSUER must be a URL, e.g. https://login.example.com/realms/soc');
    return undefined;
  }
  const loopback = isLoopback(issuer.hostname);
  if (issuer.protocol !== 'https:' && !loopback) problems.push('RIPOSTE_OIDC_ISSUER must use https (plain http only on loopback)');
  const clientId = get('RIPOSTE_OIDC_CLIENT_ID');
  if (!clientId) problems.push('RIPOSTE_OIDC_CLIENT_ID is required with RIPOSTE_OIDC_ISSUER');
  const redirectRaw = get('RIPOSTE_OIDC_REDIRECT_URL') ?? `http://${api.host.includes(':') ? `[${api.host}]` : api.host}:${api.port}/v1/auth/oidc/callback`;
  const redirectUrl = toUrl(redirectRaw);
  if (!redirectUrl) problems.push('RIPOSTE_OIDC_REDIRECT_URL must be a URL (this API\u2019s /v1/auth/oidc/callback as browsers reach it)');
  const roles: Record<string, Role> = {};
  for (const pair of (get('RIPOSTE_OIDC_ROLES') ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
    const at = pair.lastIndexOf('=');
    const value = pair.slice(0, at);
    const role = pair.slice(at + 1);
    if (at <= 0 || !isRole(role) || !PERSON_ROLES.has(role)) problems.push(`RIPOSTE_OIDC_ROLES: "${pair}" is not claim-value=viewer|analyst|admin`);
    else roles[value] = role;
  }
  const ttl = parseDuration(get('RIPOSTE_SESSION_TTL') ?? '12h');
  if (ttl === undefined || ttl < 60_000 || ttl > 30 * 86_400_000) problems.push('RIPOSTE_SESSION_TTL must be a duration from 1m to 30d');
  const secret = get('RIPOSTE_OIDC_CLIENT_SECRET');
  if (!clientId || !redirectUrl) return undefined;
  return {
    issuer,
    clientId,
    ...(secret ? { clientSecret: new Secret(secret) } : {}),
    redirectUrl,
    scopes: get('RIPOSTE_OIDC_SCOPES') ?? 'openid profile email',
    nameClaim: get('RIPOSTE_OIDC_NAME_CLAIM') ?? 'preferred_username',
    roleClaim: get('RIPOSTE_OIDC_ROLE_CLAIM') ?? 'groups',
    roles,
    sessionTtlMs: ttl ?? 12 * 3_600_000,
    insecureLoopback: loopback && issuer.protocol === 'http:',
  };
}

/** The highest role the claim's values give (admin over analyst over viewer), or undefined. */
export function roleFromClaim(config: Pick<OidcConfig, 'roles'>, claim: unknown): Role | undefined {
  const values = (Array.isArray(claim) ? claim : typeof claim === 'string' ? claim.split(/[\s,]+/) : []).filter((v): v is string => typeof v === 'string');
  const granted = values.map((v) => config.roles[v] ?? (isRole(v) && PERSON_ROLES.has(v) ? v : undefined)).filter((r): r is Role => r !== undefined);
  for (const r of ['admin', 'analyst', 'viewer'] as const) if (granted.includes(r)) return r;
  return undefined;
}

function toUrl(s: string): URL | undefined {
  try {
    const u = new URL(s);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u : undefined;
  } catch {
    return undefined;
  }
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
