// GET /v1/integrations: every integration in the catalog — configured or not (never a secret,
// only the names of missing variables), its rate limit, and its last success and failure as the
// worker recorded them (data/integrations.db).
import { INTEGRATIONS, activation } from '../activities/catalog-info.ts';
import { integrationState } from '../activities/shared/integration.ts';
import type { IntegrationHealth, IntegrationStatusStore } from '../store/integration-status.ts';

export interface IntegrationView {
  name: string;
  title: string;
  category: string;
  configured: boolean;
  missing: string[];
  settings: Array<{ name: string; required: boolean; secret: boolean; set: boolean }>;
  rateLimit: { limit: number; intervalMs: number } | null;
  activities: string[];
  docUrl: string;
  lastSuccessAt: string | null;
  lastFailureAt: string | null;
  lastFailure: { type: string; message: string } | null;
  successes: number;
  failures: number;
}

export async function integrationViews(env: Record<string, string | undefined>, status?: IntegrationStatusStore): Promise<IntegrationView[]> {
  let health: Record<string, IntegrationHealth> = {};
  try {
    health = (await status?.read()) ?? {};
  } catch {
    /* no worker has written yet, or the file is busy: show configuration only */
  }
  return INTEGRATIONS.map((info) => {
    const state = integrationState(info, env);
    // Active by the rule the worker applies (ticketing needs a ticket system, nftables RIPOSTE_CONTAINMENT …).
    const active = activation(info, env);
    const h = health[info.name];
    return {
      name: info.name,
      title: info.title,
      category: info.category,
      configured: active.active,
      missing: active.missing,
      settings: info.settings.map((s) => ({ name: s.name, required: Boolean(s.required), secret: Boolean(s.secret), set: Boolean(env[s.name]?.trim()) })),
      rateLimit: state.rateLimit ?? null,
      activities: [...info.activities],
      docUrl: info.docUrl,
      lastSuccessAt: h?.lastSuccessAt ?? null,
      lastFailureAt: h?.lastFailureAt ?? null,
      lastFailure: h?.lastFailure ?? null,
      successes: h?.successes ?? 0,
      failures: h?.failures ?? 0,
    };
  });
}
