// The only place that knows Jira Cloud's URLs and headers (REST v3, basic auth with an API token).
import type { Secret } from '../../config/secret.ts';
import { httpRequest } from '../shared/http.ts';
import type { AdfDoc, JiraComment, JiraCommentList, JiraCommentPage, JiraEntityProperty, JiraIssueRef, JiraSearchResult } from './types.ts';

export interface JiraClientOptions { baseUrl: string; email: string; apiToken: Secret; timeoutMs?: number }

export class JiraClient {
  constructor(private readonly opts: JiraClientOptions) {}

  get baseUrl(): string {
    return this.opts.baseUrl;
  }

  /** The first issue carrying `label`, or null. Labels hold Riposte's idempotency keys. */
  async findIssueByLabel(label: string): Promise<JiraIssueRef | null> {
    const res = await this.call<JiraSearchResult>('POST', '/rest/api/3/search/jql', {
      jql: `labels = "${label}"`,
      fields: ['summary'],
      maxResults: 1,
    });
    return res.body?.issues?.[0] ?? null;
  }

  async createIssue(fields: { projectKey: string; issueType: string; summary: string; description: AdfDoc; labels: string[] }): Promise<JiraIssueRef> {
    const res = await this.call<JiraIssueRef>('POST', '/rest/api/3/issue', {
      fields: {
        project: { key: fields.projectKey },
        issuetype: { name: fields.issueType },
        summary: fields.summary.slice(0, 254),
        description: fields.description,
        labels: fields.labels,
      },
    });
    return res.body;
  }

  /** Every comment of an issue with its entity properties (two documented calls: ids, then comment/list?expand=properties). */
  async commentsWithProperties(issueKey: string): Promise<JiraComment[]> {
    const ids: string[] = [];
    for (let startAt = 0; ; ) {
      const page = await this.call<JiraCommentPage>('GET', `/rest/api/3/issue/${encodeURIComponent(issueKey)}/comment?startAt=${startAt}&maxResults=100`);
      const comments = page.body?.comments ?? [];
      ids.push(...comments.map((c) => c.id));
      startAt += comments.length;
      if (comments.length === 0 || startAt >= (page.body?.total ?? 0)) break;
    }
    if (ids.length === 0) return [];
    const found: JiraComment[] = [];
    for (let i = 0; i < ids.length; i += 1000) {
      const res = await this.call<JiraCommentList>('POST', '/rest/api/3/comment/list?expand=properties', {
        ids: ids.slice(i, i + 1000).map(Number),
      });
      found.push(...(res.body?.values ?? []));
    }
    return found;
  }

  async addComment(issueKey: string, body: AdfDoc, properties: JiraEntityProperty[]): Promise<JiraComment> {
    const res = await this.call<JiraComment>('POST', `/rest/api/3/issue/${encodeURIComponent(issueKey)}/comment`, { body, properties });
    return res.body;
  }

  /** The issue's status category key: new, indeterminate or done. */
  async statusCategory(issueKey: string): Promise<string | undefined> {
    const res = await this.call<{ fields?: { status?: { statusCategory?: { key?: string } } } }>('GET', `/rest/api/3/issue/${encodeURIComponent(issueKey)}?fields=status`);
    return res.body?.fields?.status?.statusCategory?.key;
  }

  /** The transitions open to the issue now, with the status category each leads to. */
  async transitions(issueKey: string): Promise<Array<{ id: string; name: string; to?: { statusCategory?: { key?: string } } }>> {
    const res = await this.call<{ transitions?: Array<{ id: string; name: string; to?: { statusCategory?: { key?: string } } }> }>('GET', `/rest/api/3/issue/${encodeURIComponent(issueKey)}/transitions`);
    return res.body?.transitions ?? [];
  }

  async transition(issueKey: string, transitionId: string): Promise<void> {
    await this.call('POST', `/rest/api/3/issue/${encodeURIComponent(issueKey)}/transitions`, { transition: { id: transitionId } });
  }

  browseUrl(key: string): string {
    return `${this.opts.baseUrl}/browse/${key}`;
  }

  private call<T>(method: 'GET' | 'POST', path: string, body?: unknown) {
    const basic = Buffer.from(`${this.opts.email}:${this.opts.apiToken.reveal()}`).toString('base64');
    return httpRequest<T>({
      integration: 'jira',
      method,
      url: `${this.opts.baseUrl}${path}`,
      headers: { authorization: `Basic ${basic}` },
      body,
      timeoutMs: this.opts.timeoutMs,
    });
  }
}
