// ServiceNow (Table API, incident) as Riposte's ticket system. Idempotent: the incident carries
// the idempotency key in correlation_id, each work note a marker derived from its key, so a
// retried activity finds what it already did; closing an incident already resolved does nothing.
import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { Secret } from '../../config/secret.ts';
import { ErrorType } from '../shared/errors.ts';
import { integrationState } from '../shared/integration.ts';
import { limiterFor } from '../shared/rate-limit.ts';
import type { TicketOutcome, TicketSystem } from '../ticketing/types.ts';
import { ServiceNowClient } from './client.ts';
import { info } from './info.ts';

export { info };

export function servicenowFromEnv(env: Record<string, string | undefined>): { client: ServiceNowClient; closeCode: string } | undefined {
  const state = integrationState(info, env);
  if (!state.configured) return undefined;
  return {
    client: new ServiceNowClient({
      baseUrl: (env.SERVICENOW_URL as string).replace(/\/+$/, ''),
      username: env.SERVICENOW_USERNAME as string,
      password: new Secret(env.SERVICENOW_PASSWORD as string),
      table: env.SERVICENOW_TABLE ?? 'incident',
      limiter: limiterFor(info.name, state.rateLimit),
    }),
    closeCode: env.SERVICENOW_CLOSE_CODE ?? 'Solution provided',
  };
}

/** Incident states: 1 New … 6 Resolved, 7 Closed, 8 Canceled. */
const CLOSED = new Set(['6', '7', '8']);

export const marker = (key: string) => `[riposte:${createHash('sha256').update(key).digest('hex').slice(0, 16)}]`;
const correlation = (key: string) => `riposte-${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;

/** OCSF severity → ServiceNow urgency and impact (1 high … 3 low). */
function priority(severity_id: number): { urgency: string; impact: string } {
  const v = severity_id >= 5 ? '1' : severity_id >= 4 ? '1' : severity_id >= 3 ? '2' : '3';
  return { urgency: v, impact: severity_id >= 5 ? '1' : v === '1' ? '2' : v };
}

const OUTCOME: Record<TicketOutcome, string> = { true_positive: 'True positive', false_positive: 'False positive', benign: 'Benign', indeterminate: 'Indeterminate' };

export function servicenowTicketSystem(client: ServiceNowClient, opts: { closeCode: string }): TicketSystem {
  return {
    name: 'servicenow',
    async open(input) {
      const corr = correlation(input.idempotencyKey);
      const existing = await client.find(`correlation_id=${corr}`);
      const record =
        existing ??
        (await client.create({
          short_description: input.title.slice(0, 160),
          description: input.description,
          correlation_id: corr,
          correlation_display: `Riposte ${input.caseId}`,
          category: 'security',
          ...priority(input.severity_id),
        }));
      return { ticket: { system: 'servicenow', key: record.number ?? record.sys_id, url: client.recordUrl(record.sys_id), id: record.sys_id }, existed: existing !== null };
    },
    async addNote(input) {
      const sysId = await sysIdOf(client, input.ticket);
      const mark = marker(input.idempotencyKey);
      const done = await client.workNotesContaining(sysId, mark);
      if (done.length) return { noteId: done[0]!.sys_id, existed: true };
      await client.update(sysId, { work_notes: `${input.text}\n\n${mark}` });
      return { noteId: mark, existed: false };
    },
    async close(input) {
      const sysId = await sysIdOf(client, input.ticket);
      const now = await client.find(`sys_id=${sysId}`);
      if (now && CLOSED.has(String(now.state))) return { alreadyClosed: true };
      await client.update(sysId, { state: '6', close_code: opts.closeCode, close_notes: `${OUTCOME[input.outcome]}. ${input.summary}`.slice(0, 4000) });
      return { alreadyClosed: false };
    },
  };
}

async function sysIdOf(client: ServiceNowClient, ticket: { key: string; id?: string }): Promise<string> {
  if (ticket.id) return ticket.id;
  const found = await client.find(`number=${ticket.key}`);
  if (!found) throw ApplicationFailure.nonRetryable(`servicenow: no record ${ticket.key}`, ErrorType.invalidInput);
  return found.sys_id;
}
