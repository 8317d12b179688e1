// Request and response schemas (TypeBox → JSON Schema 2020-12), shared by validation and
// the OpenAPI document.
import { Type, type Static } from '@sinclair/typebox';

const Str = (max: number, opts: Record<string, unknown> = {}) => Type.String({ minLength: 1, maxLength: max, ...opts });

export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    errors: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
  },
  { description: 'RFC 9457 problem details' }
);

// ---- OCSF Detection Finding (class_uid 2004), the native alert format ---------------------

const OcsfEndpoint = Type.Object(
  {
    ip: Type.Optional(Type.String({ format: 'ip', description: 'IPv4 or IPv6 address' })),
    hostname: Type.Optional(Str(253)),
    name: Type.Optional(Str(253)),
    domain: Type.Optional(Str(253)),
    port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
    uid: Type.Optional(Str(256)),
    instance_uid: Type.Optional(Str(256)),
  },
  { description: 'OCSF network_endpoint' }
);

const OcsfUser = Type.Object({
  name: Type.Optional(Str(256)),
  uid: Type.Optional(Str(256)),
  email_addr: Type.Optional(Type.String({ format: 'email', maxLength: 320 })),
});

export const OcsfObservable = Type.Object(
  {
    name: Str(256, { description: 'Attribute path the value came from, e.g. dst_endpoint.ip' }),
    type_id: Type.Integer({ minimum: 0, maximum: 99, description: 'OCSF observable type: 1 Hostname, 2 IP Address, 4 User Name, 5 Email Address, 6 URL String, 8 Hash, 10 Resource UID' }),
    value: Str(2048),
  },
  { description: 'OCSF observable' }
);

export const OcsfEvidence = Type.Object(
  {
    src_endpoint: Type.Optional(OcsfEndpoint),
    dst_endpoint: Type.Optional(OcsfEndpoint),
    query: Type.Optional(Type.Object({ hostname: Str(253), type: Type.Optional(Type.String({ maxLength: 16 })) }, { description: 'OCSF dns_query' })),
    actor: Type.Optional(Type.Object({ user: Type.Optional(OcsfUser) })),
    url: Type.Optional(Type.Object({ url_string: Str(2048) })),
  },
  { description: 'OCSF evidences item (the fields Riposte reads)' }
);

export const OcsfDetectionFinding = Type.Object(
  {
    class_uid: Type.Optional(Type.Literal(2004, { description: 'Detection Finding' })),
    activity_id: Type.Optional(Type.Integer({ minimum: 0, maximum: 99 })),
    time: Type.Integer({ minimum: 0, maximum: 8_640_000_000_000_000, description: 'Event time, milliseconds since the Unix epoch (OCSF timestamp_t)' }),
    severity_id: Type.Union([0, 1, 2, 3, 4, 5, 6, 99].map((n) => Type.Literal(n)), {
      description: '0 Unknown, 1 Informational, 2 Low, 3 Medium, 4 High, 5 Critical, 6 Fatal, 99 Other',
    }),
    severity: Type.Optional(Type.String({ maxLength: 32 })),
    message: Type.Optional(Type.String({ maxLength: 4096 })),
    finding_info: Type.Object({
      uid: Str(256, { description: "The source's unique id for the finding" }),
      title: Str(512),
      desc: Type.Optional(Type.String({ maxLength: 8192 })),
      types: Type.Optional(Type.Array(Str(256), { maxItems: 20 })),
      analytic: Type.Optional(Type.Object({ name: Type.Optional(Str(256)), uid: Type.Optional(Str(256)) })),
    }),
    observables: Type.Optional(Type.Array(OcsfObservable, { maxItems: 200 })),
    evidences: Type.Optional(Type.Array(OcsfEvidence, { maxItems: 100 })),
    metadata: Type.Optional(Type.Object({ product: Type.Optional(Type.Object({ name: Type.Optional(Type.String()), vendor_name: Type.Optional(Type.String()) })) })),
  },
  { description: 'OCSF Detection Finding (class_uid 2004). Unlisted OCSF attributes are accepted and ignored.' }
);
export type OcsfDetectionFinding = Static<typeof OcsfDetectionFinding>;

const Outcome = Type.Union(['new', 'duplicate', 'deduplicated', 'updated', 'suppressed'].map((s) => Type.Literal(s)), {
  description:
    'new; duplicate (this alert was already accepted: the same answer, nothing new); deduplicated (a repeat of a recent alert, counted on it); ' +
    'updated (the source re-sent it with news: a higher count, resolved); suppressed (a suppression rule matched: stored and counted, no case)',
});

export const AlertAccepted = Type.Object({
  alertId: Type.String(),
  caseId: Type.Union([Type.String(), Type.Null()], { description: 'null when the alert was suppressed' }),
  duplicate: Type.Boolean({ description: 'True when this alert was already accepted; no second playbook starts' }),
  outcome: Outcome,
  suppressedBy: Type.Optional(Type.String()),
  autoClosed: Type.Optional(Type.Boolean({ description: 'Triage auto-close took it (RIPOSTE_TRIAGE_AUTO_CLOSE): its case is closed as a false positive, no playbook started; reopening the case sends it on' })),
});

export const BatchAccepted = Type.Object({
  accepted: Type.Integer(),
  rejected: Type.Integer(),
  results: Type.Array(
    Type.Object({
      index: Type.Integer({ description: 'Position of the item in the payload' }),
      outcome: Type.Union([Outcome, Type.Literal('rejected')]),
      alertId: Type.Optional(Type.String()),
      caseId: Type.Optional(Type.Union([Type.String(), Type.Null()])),
      suppressedBy: Type.Optional(Type.String()),
      autoClosed: Type.Optional(Type.Boolean()),
      at: Type.Optional(Type.String()),
      errors: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
    })
  ),
});

/** How the triage learner judged an alert on arrival (domain/triage.ts). */
export const TriageSchema = Type.Object(
  {
    priority: Type.Integer({ minimum: 0, maximum: 100, description: 'Severity, false-positive likelihood, critical assets and novelty together: 0–100' }),
    fpLikelihood: Type.Number({ minimum: 0, maximum: 1, description: 'From the verdicts on the same rule on the same entity, the same rule, the same source' }),
    fpBasis: Type.String({ description: 'The verdicts behind it, in words' }),
    unusual: Type.Boolean({ description: 'Far above the normal rate of its rule or an entity for this hour of the week' }),
    novel: Type.Boolean({ description: 'Its rule fires on one of its hosts, users or cloud resources for the first time' }),
    critical: Type.Array(Type.String(), { description: 'Its entities on RIPOSTE_CRITICAL_ASSETS' }),
    reasons: Type.Array(Type.String(), { description: 'Why it ranks where it does, weightiest first' }),
    autoClose: Type.Optional(Type.Boolean()),
  },
  { description: 'Triage on arrival: false-positive likelihood, unusual, first time, priority and why' }
);
export const CaseTriageSchema = Type.Composite([TriageSchema, Type.Object({ alertId: Type.String({ description: 'The alert whose triage ranks the case (its highest)' }) })], {
  description: 'The triage of the case’s highest-priority alert',
});

const ObservableOut = Type.Object({ type: Type.String(), value: Type.String(), role: Type.Optional(Type.String()) });

export const AlertIdParams = Type.Object({ alertId: Type.String({ pattern: '^al_[0-9a-f]{16}$', description: 'An alert id, as returned when it was posted' }) });

export const StoredAlertResponse = Type.Object({
  id: Type.String(),
  source: Type.String(),
  sourceUid: Type.String(),
  time: Type.String(),
  severity_id: Type.Integer(),
  title: Type.String(),
  rule: Type.Union([Type.Null(), Type.Object({ name: Type.String(), uid: Type.Optional(Type.String()) })]),
  observables: Type.Array(ObservableOut),
  count: Type.Integer(),
  firstSeen: Type.String(),
  lastSeen: Type.String(),
  receivedAt: Type.String(),
  caseId: Type.Union([Type.String(), Type.Null()]),
  suppressedBy: Type.Union([Type.String(), Type.Null()]),
  status: Type.Optional(Type.Union([Type.Literal('firing'), Type.Literal('resolved')])),
  raw: Type.Optional(Type.Unknown({ description: 'The item as the source sent it (JSON), or its first RIPOSTE_RAW_MAX_BYTES characters as text when rawTruncated' })),
  rawTruncated: Type.Optional(Type.Boolean()),
  triage: Type.Optional(TriageSchema),
});

// ---- Cases --------------------------------------------------------------------------------

export const CaseIdParams = Type.Object({ caseId: Type.String({ pattern: '^cs_[0-9a-f]{16}$', description: 'Case id, as returned by POST /v1/alerts' }) });
export const ApprovalParams = Type.Object({
  caseId: CaseIdParams.properties.caseId,
  approvalId: Type.String({ pattern: '^[a-z0-9-]{1,64}$', description: 'An id from the case\u2019s pendingApprovals' }),
});

export const ApprovalDecisionBody = Type.Object(
  {
    decision: Type.Union([Type.Literal('approve'), Type.Literal('reject')]),
    comment: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false }
);
export type ApprovalDecisionBody = Static<typeof ApprovalDecisionBody>;

const Observable = Type.Object({ type: Type.String(), value: Type.String(), role: Type.Optional(Type.String()) });

const Approval = Type.Object({
  workflowId: Type.Optional(Type.String({ description: 'The playbook that asked' })),
  id: Type.String(),
  action: Type.String(),
  reason: Type.String(),
  requestedAt: Type.String({ format: 'date-time' }),
  expiresAt: Type.String({ format: 'date-time' }),
  status: Type.Union(['pending', 'approved', 'rejected', 'timed_out', 'withdrawn'].map((s) => Type.Literal(s))),
  decidedBy: Type.Optional(Type.String()),
  decidedAt: Type.Optional(Type.String({ format: 'date-time' })),
  comment: Type.Optional(Type.String()),
  targets: Type.Optional(Type.Array(Type.String(), { description: 'What approving acts on, each with its driver (or "simulated")' })),
  notified: Type.Optional(Type.Array(Type.String(), { description: 'Channels told about it (slack, teams, email)' })),
  required: Type.Optional(Type.Integer({ description: 'How many distinct analysts must approve (2: four-eyes)' })),
  requiredWhy: Type.Optional(Type.String()),
  approvedBy: Type.Optional(Type.Array(Type.Object({ by: Type.String(), at: Type.String(), comment: Type.Optional(Type.String()) }))),
  requestedBy: Type.Optional(Type.String({ description: 'Who started the run that asks: they may not approve it' })),
});

const Verdict = Type.Object({
  source: Type.String(),
  observable: Observable,
  level: Type.Union(['safe', 'info', 'suspicious', 'malicious'].map((s) => Type.Literal(s))),
  score: Type.Number(),
  summary: Type.String(),
  found: Type.Boolean(),
  firstSeen: Type.Optional(Type.String()),
  tags: Type.Array(Type.String()),
  related: Type.Array(Observable),
});

const Enrichment = Type.Object({
  source: Type.String(),
  observable: Observable,
  status: Type.Union([Type.Literal('ok'), Type.Literal('skipped'), Type.Literal('failed')]),
  verdict: Type.Optional(Verdict),
  reason: Type.Optional(Type.String()),
  errorType: Type.Optional(Type.String()),
});

export const Action = Type.Object({
  id: Type.String(),
  kind: Type.String({ description: 'egress, host, cloud_instance, cloud_credential' }),
  op: Type.String(),
  description: Type.String(),
  target: Type.String(),
  driver: Type.String(),
  simulated: Type.Boolean({ description: 'True when nothing was changed (log-only driver or dry run)' }),
  at: Type.String(),
  approvalId: Type.Optional(Type.String()),
  approvedBy: Type.Optional(Type.String()),
  undo: Type.Optional(Type.Object({ op: Type.String(), input: Type.Object({}, { additionalProperties: true }) })),
  status: Type.Union(['applied', 'undoing', 'undone', 'undo_failed'].map((s) => Type.Literal(s))),
  undone: Type.Optional(Type.Object({ at: Type.String(), by: Type.String(), description: Type.String() })),
  workflowId: Type.Optional(Type.String()),
});

const ScopeItemSchema = Type.Object({
  type: Type.String(),
  value: Type.String(),
  ip: Type.Optional(Type.String()),
  joinedBy: Type.Union([Type.Literal('alert'), Type.Literal('hunt'), Type.Literal('analyst')]),
  reason: Type.String(),
  at: Type.String(),
});

const CaseStatusSchema = Type.Union(['running', 'awaiting_approval', 'contained', 'open', 'closed', 'failed'].map((s) => Type.Literal(s)));

export const VerdictSchema = Type.Object({
  verdict: Type.Union([Type.Literal('true_positive'), Type.Literal('false_positive'), Type.Literal('benign')]),
  by: Type.String(),
  at: Type.String(),
  comment: Type.Optional(Type.String()),
});

export const CaseResponse = Type.Object({
  caseId: Type.String(),
  status: CaseStatusSchema,
  title: Type.String(),
  severity_id: Type.Integer(),
  createdAt: Type.String(),
  lastAlertAt: Type.String(),
  alertCount: Type.Integer(),
  entities: Type.Array(Type.String({ description: 'kind:value, e.g. host:web-1, ip:203.0.113.7' })),
  verdict: Type.Optional(VerdictSchema),
  priority: Type.Integer({ description: 'Triage priority, 0–100 (0: none of its alerts was triaged)' }),
  triage: Type.Optional(CaseTriageSchema),
  alerts: Type.Array(
    Type.Object({
      id: Type.String(),
      source: Type.String(),
      title: Type.String(),
      severity_id: Type.Integer(),
      time: Type.String(),
      count: Type.Integer(),
      receivedAt: Type.String(),
      status: Type.Optional(Type.String()),
    })
  ),
  playbooks: Type.Array(Type.Object({ workflowId: Type.String(), playbook: Type.String(), status: CaseStatusSchema })),
  alertIds: Type.Array(Type.String()),
  host: Type.Object({ hostname: Type.Optional(Type.String()), ip: Type.Optional(Type.String()) }),
  remote: Type.Object({ ips: Type.Array(Type.String()), domains: Type.Array(Type.String()) }),
  enrichment: Type.Array(Enrichment),
  assessment: Type.Optional(
    Type.Object({ level: Type.String(), score: Type.Number(), conclusive: Type.Boolean(), askToContain: Type.Boolean(), reasons: Type.Array(Type.String()) })
  ),
  ticket: Type.Union([Type.Null(), Type.Object({ system: Type.String(), key: Type.String(), url: Type.Optional(Type.String()), id: Type.Optional(Type.String()) })]),
  approvals: Type.Array(Approval),
  pendingApprovals: Type.Array(Approval),
  containment: Type.Union([
    Type.Null(),
    Type.Object({
      driver: Type.String(),
      action: Type.String(),
      targets: Type.Array(Type.String()),
      at: Type.String(),
      refs: Type.Array(Type.String()),
      simulated: Type.Optional(Type.Boolean({ description: 'True when nothing was blocked: every action was simulated (log-only)' })),
    }),
  ]),
  scope: Type.Array(ScopeItemSchema, { description: 'Hosts, users and resources in the case, and how each joined (alert, hunt)' }),
  indicators: Type.Array(Type.Object({ type: Type.String(), value: Type.String() })),
  sightings: Type.Array(Type.Object({ indicator: Type.Object({ type: Type.String(), value: Type.String() }), at: Type.String(), host: Type.Optional(Type.String()), backend: Type.String(), where: Type.String(), excerpt: Type.String() })),
  evidence: Type.Array(
    Type.Object({
      evidenceId: Type.String(),
      kind: Type.String(),
      source: Type.String(),
      uri: Type.String(),
      sha256: Type.Optional(Type.String()),
      bytes: Type.Optional(Type.Integer()),
      tool: Type.String(),
      at: Type.String(),
      custody: Type.Object({}, { additionalProperties: true, description: 'The chain-of-custody record as the collector wrote it' }),
    })
  ),
  actions: Type.Array(Action),
  skipped: Type.Array(Type.Object({ step: Type.String(), reason: Type.String(), enableWith: Type.Array(Type.String()) }), { description: 'Steps nothing is configured for, with the variables that would enable them' }),
  timeline: Type.Array(Type.Object({ at: Type.String(), step: Type.String(), message: Type.String(), actor: Type.Optional(Type.String()) })),
  startedAt: Type.String(),
  closedAt: Type.Optional(Type.String({ description: 'When the first playbook run ended' })),
  assignee: Type.Optional(Type.String()),
  tags: Type.Array(Type.String()),
  comments: Type.Array(Type.Object({ at: Type.String(), by: Type.String(), text: Type.String() })),
  resolution: Type.Optional(Type.Object({ at: Type.String(), by: Type.String(), text: Type.String() }, { description: 'Set while an analyst has the case closed' })),
  acknowledgedAt: Type.Optional(Type.String({ description: 'When a person first acted on the case' })),
  timings: Type.Object(
    { detectMs: Type.Optional(Type.Number()), acknowledgeMs: Type.Optional(Type.Number()), containMs: Type.Optional(Type.Number()), resolveMs: Type.Optional(Type.Number()) },
    { description: 'Time to detect, acknowledge, contain and resolve, in milliseconds (docs/metrics.md)' }
  ),
  sla: Type.Object(
    { acknowledgeBy: Type.Optional(Type.String()), containBy: Type.Optional(Type.String()), breached: Type.Array(Type.Union([Type.Literal('acknowledge'), Type.Literal('contain')])) },
    { description: 'Due times for the case\u2019s severity (RIPOSTE_SLA) and the targets it missed' }
  ),
});

export const ApprovalRecorded = Type.Object({ caseId: Type.String(), approval: Approval });

export const CaseListResponse = Type.Object({
  cases: Type.Array(
    Type.Object({
      caseId: Type.String(),
      title: Type.String(),
      severity_id: Type.Integer(),
      createdAt: Type.String(),
      lastAlertAt: Type.String(),
      alertCount: Type.Integer(),
      status: Type.String({ description: 'The case\u2019s own status, as GET /v1/cases/{caseId} says it' }),
      playbooks: Type.Array(Type.String(), { description: 'The playbooks that ran (or run) for it' }),
      assignee: Type.Optional(Type.String()),
      tags: Type.Array(Type.String()),
      pendingApprovals: Type.Integer(),
      sla: Type.Object(
    { acknowledgeBy: Type.Optional(Type.String()), containBy: Type.Optional(Type.String()), breached: Type.Array(Type.Union([Type.Literal('acknowledge'), Type.Literal('contain')])) },
    { description: 'Due times for the case\u2019s severity (RIPOSTE_SLA) and the targets it missed' }
  ),
      verdict: Type.Optional(Type.String()),
      entities: Type.Array(Type.String(), { description: 'kind:value, as on the case' }),
      priority: Type.Integer({ description: 'Triage priority, 0–100' }),
      triage: Type.Optional(CaseTriageSchema),
    })
  ),
  next: Type.Optional(Type.String({ description: 'Pass as ?before= for the next page' })),
});

export const CaseListQuery = Type.Object({
  limit: Type.Optional(Type.String({ pattern: '^([1-9][0-9]?|100)$', description: '1–100, default 50' })),
  sort: Type.Optional(Type.Union([Type.Literal('newest'), Type.Literal('priority')], { description: 'newest (default) or priority: by triage priority, highest first, then newest' })),
  before: Type.Optional(Type.String({ maxLength: 100, pattern: '^([0-9]{1,3}\\|)?[0-9T:.Z+-]+(\\|cs_[0-9a-f]{16})?$', description: 'The `next` of the previous page (or a time: cases created before it)' })),
  status: Type.Optional(Type.Union(['running', 'awaiting_approval', 'contained', 'open', 'closed', 'failed'].map((s) => Type.Literal(s)))),
  severity: Type.Optional(Type.String({ pattern: '^[0-6]$', description: 'The least severity_id' })),
  source: Type.Optional(Type.String({ pattern: '^[a-z0-9-]{1,40}$' })),
  playbook: Type.Optional(Type.String({ pattern: '^[a-z0-9-]{1,80}$' })),
  entity: Type.Optional(Type.String({ minLength: 1, maxLength: 300, description: 'A host, address, domain, user … an alert of the case names (host:web-1 or web-1)' })),
  assignee: Type.Optional(Type.String({ maxLength: 128, description: 'A name, or "none"' })),
  tag: Type.Optional(Type.String({ maxLength: 64 })),
  verdict: Type.Optional(Type.Union(['true_positive', 'false_positive', 'benign', 'none'].map((s) => Type.Literal(s)))),
  since: Type.Optional(Type.String({ format: 'date-time', description: 'Created at or after' })),
  until: Type.Optional(Type.String({ format: 'date-time', description: 'Created before' })),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Free text in the title or an entity' })),
  breached: Type.Optional(Type.Literal('true', { description: 'Only cases that missed a service level' })),
});

export const VerdictBody = Type.Object(
  {
    verdict: Type.Union([Type.Literal('true_positive'), Type.Literal('false_positive'), Type.Literal('benign')]),
    comment: Type.Optional(Type.String({ maxLength: 2000 })),
    keepOpen: Type.Optional(Type.Boolean({ description: 'A false_positive or benign verdict closes the case unless this is true' })),
  },
  { additionalProperties: false }
);

export const SuppressionMatchSchema = Type.Union([
  Type.Object({ kind: Type.Literal('domain'), value: Type.String({ minLength: 1, maxLength: 253, description: 'example.com (and its subdomains) or *.example.com' }) }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('ip'), value: Type.String({ minLength: 1, maxLength: 64, description: 'An address or a CIDR range' }) }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('hash'), value: Type.String({ minLength: 32, maxLength: 128 }) }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('rule_host'), rule: Type.String({ minLength: 1, maxLength: 256 }), host: Type.String({ minLength: 1, maxLength: 253 }) }, { additionalProperties: false }),
  Type.Object(
    {
      kind: Type.Literal('maintenance'),
      from: Type.String({ format: 'date-time' }),
      to: Type.String({ format: 'date-time' }),
      hosts: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { maxItems: 100 })),
      rules: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { maxItems: 100 })),
    },
    { additionalProperties: false }
  ),
]);

export const SuppressionBody = Type.Object(
  {
    match: SuppressionMatchSchema,
    reason: Type.String({ minLength: 3, maxLength: 1000 }),
    expiresAt: Type.Optional(Type.String({ format: 'date-time', description: 'When the rule stops matching; recommended' })),
  },
  { additionalProperties: false }
);

export const SuppressionResponse = Type.Object({
  id: Type.String(),
  origin: Type.Union([Type.Literal('config'), Type.Literal('api'), Type.Literal('suggested')]),
  status: Type.Union([Type.Literal('active'), Type.Literal('suggested'), Type.Literal('revoked')]),
  match: SuppressionMatchSchema,
  reason: Type.String(),
  author: Type.String(),
  createdAt: Type.String(),
  expiresAt: Type.Optional(Type.String()),
  fromCase: Type.Optional(Type.String()),
  global: Type.Optional(Type.Boolean({ description: 'Broader than an analyst may add; an admin added it' })),
  hits: Type.Integer(),
  lastHitAt: Type.Optional(Type.String()),
  activatedBy: Type.Optional(Type.String()),
  revokedBy: Type.Optional(Type.String()),
});

export const SuppressionIdParams = Type.Object({ id: Type.String({ pattern: '^(sup|cfg)-[0-9a-f]{8,12}$' }) });

export const VerdictResponse = Type.Object({
  caseId: Type.String(),
  verdict: VerdictSchema,
  suggestedSuppressions: Type.Array(SuppressionResponse),
  undo: Type.Array(Type.Object({ actionId: Type.String(), description: Type.String(), simulated: Type.Boolean(), href: Type.String() }), {
    description: 'On a false positive or benign verdict: the actions still in place, each with the URL that undoes it',
  }),
  cancelledApprovals: Type.Array(Type.String(), { description: 'Approvals that were waiting and were rejected because of the verdict' }),
  closed: Type.Boolean({ description: 'Whether the verdict closed the case (false_positive and benign do, unless keepOpen)' }),
});

export const BulkVerdictBody = Type.Object(
  {
    caseIds: Type.Array(CaseIdParams.properties.caseId, { minItems: 1, maxItems: 100 }),
    verdict: Type.Union([Type.Literal('true_positive'), Type.Literal('false_positive'), Type.Literal('benign')]),
    comment: Type.Optional(Type.String({ maxLength: 2000 })),
    keepOpen: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false }
);
export const BulkVerdictResponse = Type.Object({
  results: Type.Array(
    Type.Object({
      caseId: Type.String(),
      status: Type.Integer({ description: '200, or the status the case alone would have answered (404 …)' }),
      closed: Type.Optional(Type.Boolean()),
      cancelledApprovals: Type.Optional(Type.Array(Type.String())),
      undo: Type.Optional(Type.Array(Type.String(), { description: 'Undo URLs of the actions still in place' })),
      detail: Type.Optional(Type.String()),
    })
  ),
});

const Tag = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9:._/-]{0,63}$' });
export const CommentBody = Type.Object({ text: Type.String({ minLength: 1, maxLength: 10_000 }) }, { additionalProperties: false });
export const AssignBody = Type.Object(
  { assignee: Type.Optional(Type.Union([Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._@:-]{0,127}$' }), Type.Null()], { description: 'A person\u2019s name; omitted: yourself; null: nobody' })) },
  { additionalProperties: false }
);
export const TagsBody = Type.Object({ add: Type.Optional(Type.Array(Tag, { maxItems: 20 })), remove: Type.Optional(Type.Array(Tag, { maxItems: 20 })) }, { additionalProperties: false });
export const CloseBody = Type.Object({ resolution: Type.String({ minLength: 1, maxLength: 2000, description: 'Why the case is closed' }) }, { additionalProperties: false });
export const ReopenBody = Type.Object({ comment: Type.Optional(Type.String({ maxLength: 2000 })) }, { additionalProperties: false });

export const ActionParams = Type.Object({ caseId: Type.String({ pattern: '^cs_[0-9a-f]{16,40}$' }), actionId: Type.String({ pattern: '^[a-z0-9-]{1,80}$' }) });

export const UndoBody = Type.Object({ comment: Type.Optional(Type.String({ maxLength: 2000 })) }, { additionalProperties: false });

export const UndoResponse = Type.Object({ caseId: Type.String(), action: Action });

export const RerunParams = Type.Object({ caseId: Type.String({ pattern: '^cs_[0-9a-f]{16,40}$' }), playbook: Type.String({ pattern: '^[a-z0-9-]{1,64}$' }) });

export const RerunBody = Type.Object({ comment: Type.Optional(Type.String({ maxLength: 2000, description: 'Why, for the timeline' })) }, { additionalProperties: false });

export const RerunResponse = Type.Object({
  caseId: Type.String(),
  playbook: Type.String(),
  run: Type.Integer({ description: 'The run\u2019s number in the case (1 for the first run of this playbook)' }),
  workflowId: Type.String({ description: 'The run\u2019s Temporal workflow ID' }),
  alertId: Type.String({ description: 'The alert the run starts with: the case\u2019s first one the playbook\u2019s route takes' }),
  joined: Type.Integer({ description: 'Further alerts of the case the route takes, joining the run' }),
});
