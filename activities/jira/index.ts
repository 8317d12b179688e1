// Jira Cloud as Riposte's ticket system: an issue per case, a comment per step.
// Idempotent: the issue carries a label derived from the idempotency key, and each comment an
// entity property holding its key, so a retried activity finds what it already did.
import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../shared/errors.ts';
import type { TicketSystem } from '../ticketing/types.ts';
import { Secret } from '../../config/secret.ts';
import { integrationState } from '../shared/integration.ts';
import { JiraClient } from './client.ts';
import type { AdfDoc } from './types.ts';
import { info } from './info.ts';

export { info };

/** Jira as the ticket system, from the environment; none unless JIRA_BASE_URL, _EMAIL, _API_TOKEN and _PROJECT_KEY are all set. */
export function jiraFromEnv(env: Record<string, string | undefined>): TicketSystem | undefined {
  if (!integrationState(info, env).configured) return undefined;
  const client = new JiraClient({ baseUrl: (env.JIRA_BASE_URL as string).trim().replace(/\/+$/, ''), email: (env.JIRA_EMAIL as string).trim(), apiToken: new Secret((env.JIRA_API_TOKEN as string).trim()) });
  return jiraTicketSystem(client, { projectKey: (env.JIRA_PROJECT_KEY as string).trim(), issueType: env.JIRA_ISSUE_TYPE?.trim() || 'Task' });
}

export const COMMENT_PROPERTY = 'riposte';

export function idempotencyLabel(key: string): string {
  return `riposte-${createHash('sha256').update(key).digest('hex').slice(0, 24)}`;
}

export function jiraTicketSystem(client: JiraClient, opts: { projectKey: string; issueType: string }): TicketSystem {
  return {
    name: 'jira',
    async open(input) {
      const label = idempotencyLabel(input.idempotencyKey);
      const existing = await client.findIssueByLabel(label);
      const issue =
        existing ??
        (await client.createIssue({
          projectKey: opts.projectKey,
          issueType: opts.issueType,
          summary: input.title,
          description: toAdf(input.description),
          labels: ['riposte', `riposte-case-${input.caseId}`.slice(0, 255), label],
        }));
      return { ticket: { system: 'jira', key: issue.key, url: client.browseUrl(issue.key) }, existed: existing !== null };
    },
    async addNote(input) {
      const comments = await client.commentsWithProperties(input.ticket.key);
      const done = comments.find((c) =>
        c.properties?.some((p) => p.key === COMMENT_PROPERTY && (p.value as { idempotencyKey?: string } | null)?.idempotencyKey === input.idempotencyKey)
      );
      if (done) return { noteId: done.id, existed: true };
      const created = await client.addComment(input.ticket.key, toAdf(input.text), [
        { key: COMMENT_PROPERTY, value: { idempotencyKey: input.idempotencyKey } },
      ]);
      return { noteId: created.id, existed: false };
    },
    /** A closing comment (idempotent like any note), then the first transition into a Done-category status. */
    async close(input) {
      if ((await client.statusCategory(input.ticket.key)) === 'done') return { alreadyClosed: true };
      await this.addNote({ ticket: input.ticket, idempotencyKey: `${input.idempotencyKey}:closing-note`, text: `Outcome: ${input.outcome.replace('_', ' ')}\n\n${input.summary}` });
      const done = (await client.transitions(input.ticket.key)).find((t) => t.to?.statusCategory?.key === 'done');
      if (!done) throw ApplicationFailure.nonRetryable(`jira: no transition of ${input.ticket.key} leads to a Done status`, ErrorType.request);
      await client.transition(input.ticket.key, done.id);
      return { alreadyClosed: false };
    },
  };
}

/** Plain text → ADF: blank lines separate paragraphs, single newlines become hard breaks. */
export function toAdf(text: string): AdfDoc {
  const paragraphs = text.split(/\n{2,}/).filter((p) => p.trim() !== '');
  return {
    type: 'doc',
    version: 1,
    content: (paragraphs.length ? paragraphs : ['']).map((p) => ({
      type: 'paragraph' as const,
      content: p
        .split('\n')
        .flatMap((line, i) => [...(i > 0 ? [{ type: 'hardBreak' as const }] : []), ...(line ? [{ type: 'text' as const, text: line }] : [])]),
    })),
  };
}
