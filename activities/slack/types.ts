// Slack Web API (chat.postMessage): inputs and results. Types only — safe for workflows to import.

export interface PostMessageInput {
  /** A channel id (C…) or name; SLACK_CHANNEL when absent. */
  channel?: string;
  text: string;
  /** Adds Approve / Reject buttons; a click is verified by the API (POST /v1/integrations/slack/interactions) and decides the approval. */
  approval?: { caseId: string; approvalId: string };
  /** From the workflow (`${workflowId}:${step}`): a retried post finds the message it already sent. */
  idempotencyKey: string;
}

export type PostMessageResult = { status: 'ok'; channel: string; ts: string; alreadySent: boolean } | { status: 'skipped'; reason: string };

/** The value of an approval button, as the interaction callback reads it back. */
export interface ApprovalButtonValue { caseId: string; approvalId: string; decision: 'approve' | 'reject' }

export interface SlackMessage { ts: string; text?: string; metadata?: { event_type: string; event_payload?: Record<string, unknown> } }
