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

export const AlertAccepted = Type.Object({
  alertId: Type.String(),
  caseId: Type.String(),
  duplicate: Type.Boolean({ description: 'True when this alert was already accepted; no second playbook starts' }),
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
  id: Type.String(),
  action: Type.String(),
  reason: Type.String(),
  requestedAt: Type.String({ format: 'date-time' }),
  expiresAt: Type.String({ format: 'date-time' }),
  status: Type.Union(['pending', 'approved', 'rejected', 'timed_out'].map((s) => Type.Literal(s))),
  decidedBy: Type.Optional(Type.String()),
  decidedAt: Type.Optional(Type.String({ format: 'date-time' })),
  comment: Type.Optional(Type.String()),
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

export const CaseResponse = Type.Object({
  caseId: Type.String(),
  playbook: Type.String(),
  status: Type.Union(['running', 'awaiting_approval', 'contained', 'closed', 'failed'].map((s) => Type.Literal(s))),
  alertIds: Type.Array(Type.String()),
  title: Type.String(),
  severity_id: Type.Integer(),
  host: Type.Object({ hostname: Type.Optional(Type.String()), ip: Type.Optional(Type.String()) }),
  remote: Type.Object({ ips: Type.Array(Type.String()), domains: Type.Array(Type.String()) }),
  enrichment: Type.Array(Enrichment),
  assessment: Type.Optional(
    Type.Object({ level: Type.String(), score: Type.Number(), conclusive: Type.Boolean(), askToContain: Type.Boolean(), reasons: Type.Array(Type.String()) })
  ),
  ticket: Type.Union([Type.Null(), Type.Object({ system: Type.String(), key: Type.String(), url: Type.Optional(Type.String()) })]),
  approvals: Type.Array(Approval),
  pendingApprovals: Type.Array(Approval),
  containment: Type.Union([
    Type.Null(),
    Type.Object({ driver: Type.String(), action: Type.String(), targets: Type.Array(Type.String()), at: Type.String(), refs: Type.Array(Type.String()) }),
  ]),
  timeline: Type.Array(Type.Object({ at: Type.String(), step: Type.String(), message: Type.String(), actor: Type.Optional(Type.String()) })),
  startedAt: Type.String(),
  closedAt: Type.Optional(Type.String()),
});

export const ApprovalRecorded = Type.Object({ caseId: Type.String(), approval: Approval });
