// Jira Cloud REST v3: only the shapes Riposte sends and reads.

/** Atlassian Document Format, as far as plain paragraphs go. */
export interface AdfDoc {
  type: 'doc';
  version: 1;
  content: Array<{ type: 'paragraph'; content: Array<{ type: 'text'; text: string } | { type: 'hardBreak' }> }>;
}

export interface JiraIssueRef { id: string; key: string; self?: string }

export interface JiraEntityProperty { key: string; value: unknown }

export interface JiraComment { id: string; properties?: JiraEntityProperty[] }

export interface JiraSearchResult { issues?: JiraIssueRef[]; nextPageToken?: string | null; isLast?: boolean }

export interface JiraCommentPage { startAt: number; maxResults: number; total: number; comments: JiraComment[] }

export interface JiraCommentList { values: JiraComment[]; isLast?: boolean }
