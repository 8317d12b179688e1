// "Tell people": every configured channel at once (Slack with Approve/Reject buttons, a Teams
// card, e-mail), and PagerDuty to page when an approval goes unanswered.
// Types only — safe for workflows to import.

export interface NotifyInput {
  kind: 'approval' | 'escalation' | 'update';
  /** `${workflowId}:notify:<step>`: a retried notification is not sent twice (as far as each channel allows). */
  idempotencyKey: string;
  caseId: string;
  title: string;
  text: string;
  /** Channels to use, as the run's context recorded them. */
  channels: string[];
  /** With an approval, Slack shows Approve / Reject buttons for it. */
  approvalId?: string;
  severity_id?: number;
}

export interface NotifyResult {
  delivered: Array<{ channel: string; status: 'ok' | 'skipped' | 'failed'; reason?: string }>;
}
