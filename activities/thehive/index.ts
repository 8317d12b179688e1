// TheHive 5 as Riposte's ticket system: an alert (source "riposte", sourceRef from the
// idempotency key — TheHive refuses a second alert with the same pair) promoted to a case;
// comments as evidence arrives; the case closed with its resolution status. Plus observables.
import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { Observable } from '../../core/alert.ts';
import { Secret } from '../../config/secret.ts';
import { ErrorType } from '../shared/errors.ts';
import { integrationState, defineIntegration } from '../shared/integration.ts';
import { limiterFor } from '../shared/rate-limit.ts';
import type { TicketRef } from '../../core/case.ts';
import type { TicketOutcome, TicketSystem } from '../ticketing/types.ts';
import { TheHiveClient } from './client.ts';
import { info } from './info.ts';

export { info };

export function thehiveFromEnv(env: Record<string, string | undefined>): TheHiveClient | undefined {
  const state = integrationState(info, env);
  if (!state.configured) return undefined;
  return new TheHiveClient({
    baseUrl: (env.THEHIVE_URL as string).replace(/\/+$/, ''),
    apiKey: new Secret(env.THEHIVE_API_KEY as string),
    ...(env.THEHIVE_ORGANISATION ? { organisation: env.THEHIVE_ORGANISATION } : {}),
    limiter: limiterFor(info.name, state.rateLimit),
  });
}

const SOURCE = 'riposte';
const sourceRef = (key: string) => createHash('sha256').update(key).digest('hex').slice(0, 32);
export const marker = (key: string) => `[riposte:${createHash('sha256').update(key).digest('hex').slice(0, 16)}]`;
/** OCSF severity → TheHive 1 low … 4 critical. */
const severity = (s: number) => (s >= 5 ? 4 : s >= 4 ? 3 : s >= 3 ? 2 : 1);
const STATUS: Record<TicketOutcome, string> = { true_positive: 'TruePositive', false_positive: 'FalsePositive', benign: 'Other', indeterminate: 'Indeterminate' };

export function thehiveTicketSystem(client: TheHiveClient): TicketSystem {
  return {
    name: 'thehive',
    async open(input) {
      const ref = sourceRef(input.idempotencyKey);
      const existing = await client.findAlert(SOURCE, ref);
      const alert =
        existing ??
        (await client.createAlert({ type: 'riposte-case', source: SOURCE, sourceRef: ref, title: input.title.slice(0, 512), description: input.description, severity: severity(input.severity_id), tags: ['riposte', `riposte:${input.caseId}`] }));
      const hiveCase = alert.caseId ? ((await client.getCase(alert.caseId)) ?? (await client.promote(alert._id))) : await client.promote(alert._id);
      return { ticket: { system: 'thehive', key: `#${hiveCase.number}`, id: hiveCase._id, url: client.caseUrl(hiveCase._id) }, existed: existing !== null };
    },
    async addNote(input) {
      const id = caseIdOf(input.ticket);
      const mark = marker(input.idempotencyKey);
      const done = (await client.comments(id)).find((c) => c.message.includes(mark));
      if (done) return { noteId: done._id, existed: true };
      return { noteId: (await client.addComment(id, `${input.text}\n\n${mark}`))._id, existed: false };
    },
    async close(input) {
      const id = caseIdOf(input.ticket);
      const now = await client.getCase(id);
      if (!now) throw ApplicationFailure.nonRetryable(`thehive: no case ${input.ticket.key}`, ErrorType.invalidInput);
      if (now.stage === 'Closed') return { alreadyClosed: true };
      await client.updateCase(id, { status: STATUS[input.outcome], summary: input.summary.slice(0, 10_000) });
      return { alreadyClosed: false };
    },
  };
}

const DATA_TYPE: Partial<Record<Observable['type'], string>> = { ip: 'ip', domain: 'domain', url: 'url', hash: 'hash', email: 'mail', hostname: 'fqdn', user: 'other' };

export function createTheHiveActivities(deps: { client?: TheHiveClient }) {
  return {
    /** Adds observables to the case behind a ticket, grouped by type (TheHive merges duplicates). */
    async thehiveAddObservables(input: { ticket: TicketRef; observables: Observable[]; message?: string }): Promise<{ status: 'ok'; added: number } | { status: 'skipped'; reason: string }> {
      if (!deps.client) return { status: 'skipped', reason: 'TheHive is not configured (THEHIVE_URL, THEHIVE_API_KEY)' };
      const id = caseIdOf(input.ticket);
      const byType = new Map<string, string[]>();
      for (const o of input.observables) {
        const t = DATA_TYPE[o.type];
        if (t) byType.set(t, [...(byType.get(t) ?? []), o.value]);
      }
      let added = 0;
      for (const [dataType, data] of byType) {
        added += (await deps.client.addObservables(id, { dataType, data: [...new Set(data)], message: input.message ?? 'from Riposte', tlp: 2, ioc: true })).length;
      }
      return { status: 'ok', added };
    },
  };
}

function caseIdOf(ticket: TicketRef): string {
  if (ticket.system !== 'thehive' || !ticket.id) throw ApplicationFailure.nonRetryable('thehive: the ticket has no TheHive case id', ErrorType.invalidInput);
  return ticket.id;
}

/** Registered in activities/catalog.ts. */
export const integration = defineIntegration({ info, activities: (ctx) => createTheHiveActivities({ client: thehiveFromEnv(ctx.env) }) });
