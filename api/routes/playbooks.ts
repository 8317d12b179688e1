// GET /v1/playbooks — the playbook library as the worker has it; POST /v1/playbooks/{name}/dry-run
// — what a playbook would do with an alert, with every side effect recorded instead of taken.
import { Type } from '@sinclair/typebox';
import type { NativeAlert } from '../../core/alert.ts';
import type { Logger } from '../../telemetry/logger.ts';
import { alertIdFor } from '../../domain/entities.ts';
import { readPayload } from '../ingest/accept.ts';
import type { RouteSpec } from '../openapi.ts';
import type { PlaybookCatalog } from '../playbooks.ts';
import { HttpError } from '../problem.ts';
import { CaseResponse, Problem } from '../schemas.ts';
import { SOURCE_NAMES, sourceByName } from '../sources/index.ts';

const PlaybookSchema = Type.Object({
  name: Type.String(),
  title: Type.String(),
  version: Type.Integer(),
  workflowType: Type.String(),
  description: Type.String(),
  route: Type.String({ description: 'Which alerts start it' }),
  settings: Type.Array(
    Type.Object({ name: Type.String(), env: Type.String({ description: 'The variable that sets it on the worker' }), default: Type.String(), description: Type.String(), choices: Type.Optional(Type.Array(Type.String())) })
  ),
  approvals: Type.Array(Type.Object({ id: Type.String(), description: Type.String() })),
  sideEffects: Type.Array(Type.String({ description: 'ticket, notify, page, contain:<kind>, collect:<kind>, cloud:<change>' })),
});

const NameParams = Type.Object({ name: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,63}$' }) });

const DryRunBody = Type.Object(
  {
    alert: Type.Object({}, { additionalProperties: true, description: 'The alert, as its source would POST it (an OCSF Detection Finding unless `source` says otherwise)' }),
    source: Type.Optional(Type.Union(SOURCE_NAMES.map((s) => Type.Literal(s)), { description: 'The alert\u2019s format: a source name as in POST /v1/alerts/{source} (default ocsf)' })),
    approvals: Type.Optional(Type.Union([Type.Literal('approve'), Type.Literal('reject'), Type.Literal('timeout')], { description: 'How every approval is answered (default approve)' })),
  },
  { additionalProperties: false }
);

const { properties: view } = CaseResponse;
const DryRunResponse = Type.Object({
  playbook: Type.String(),
  version: Type.Optional(Type.Integer()),
  workflowId: Type.String({ description: 'The dry run\u2019s workflow, to inspect in the Temporal UI' }),
  status: view.status,
  timeline: view.timeline,
  approvals: Type.Array(Type.Object({}, { additionalProperties: true })),
  actions: Type.Array(Type.Object({}, { additionalProperties: true }), { description: 'What it would have done; every one simulated' }),
  enrichment: view.enrichment,
  assessment: Type.Optional(view.assessment),
  scope: Type.Array(Type.Object({}, { additionalProperties: true })),
  sightings: Type.Array(Type.Object({}, { additionalProperties: true })),
  skipped: Type.Array(Type.Object({ step: Type.String(), reason: Type.String(), enableWith: Type.Array(Type.String()) })),
  report: Type.Optional(Type.String()),
});

export function playbookRoutes(deps: { playbooks: PlaybookCatalog; logger: Logger }): RouteSpec[] {
  return [
    {
      method: 'get',
      path: '/v1/playbooks',
      operationId: 'listPlaybooks',
      summary: 'The playbook library: each playbook with its route, settings, approvals, side effects and version',
      description: 'Answered by the worker (its code is the catalog), cached for 30 s.',
      tags: ['playbooks'],
      roles: ['viewer'],
      responses: {
        200: { description: 'The library', schema: Type.Object({ playbooks: Type.Array(PlaybookSchema) }) },
        503: { description: 'No worker answered; retry later', schema: Problem, headers: { 'Retry-After': 'seconds' } },
      },
      handler: async (_req, res) => void res.json({ playbooks: await deps.playbooks.list() }),
    },
    {
      method: 'post',
      path: '/v1/playbooks/{name}/dry-run',
      operationId: 'dryRunPlaybook',
      summary: 'What a playbook would do with an alert: the real playbook, every side effect recorded instead of taken',
      description:
        'Runs the playbook on the workers with read-only lookups real (reputation, DNS, hunting) and every side effect — ticket, notification, ' +
        'containment, evidence collection, cloud change — recorded as what it would do; approvals are answered as `approvals` says. No case is created.',
      tags: ['playbooks'],
      roles: ['analyst'],
      params: NameParams,
      body: DryRunBody,
      responses: {
        200: { description: 'What would happen', schema: DryRunResponse },
        404: { description: 'No such playbook', schema: Problem },
        422: { description: 'The alert does not read as its source\u2019s format, or the playbook failed on it', schema: Problem },
        503: { description: 'No worker answered; retry later', schema: Problem },
        504: { description: 'The dry run did not finish in time', schema: Problem },
      },
      handler: async (req, res) => {
        const name = req.params.name as string;
        const body = req.body as { alert: unknown; source?: string; approvals?: 'approve' | 'reject' | 'timeout' };
        await deps.playbooks.get(name); // 404 before reading the alert
        const alert = readAlert(body.source ?? 'ocsf', body.alert);
        const done = await deps.playbooks.dryRun(name, alert, body.approvals ?? 'approve');
        deps.logger.info({ playbook: name, workflowId: done.workflowId, actor: req.principal?.name }, 'dry run');
        res.json({
          playbook: done.playbook,
          ...(done.version !== undefined ? { version: done.version } : {}),
          workflowId: done.workflowId,
          status: done.status,
          timeline: done.timeline,
          approvals: done.approvals,
          actions: done.actions ?? [],
          enrichment: done.enrichment,
          ...(done.assessment ? { assessment: done.assessment } : {}),
          scope: done.scope ?? [],
          sightings: done.sightings ?? [],
          skipped: done.skipped ?? [],
          ...(done.report ? { report: done.report } : {}),
        });
      },
    },
  ];
}

/** The pasted alert, read as its source's adapter reads it (422 with the paths of what is wrong). */
function readAlert(source: string, value: unknown): NativeAlert {
  const adapter = sourceByName(source);
  if (!adapter) throw new HttpError(422, `no alert source ${source}`);
  const read = readPayload(adapter, JSON.stringify(value), 'single');
  if ('problem' in read) throw new HttpError(422, String((read.problem.body as { detail?: string }).detail ?? 'the alert cannot be read'), (read.problem.body as { errors?: [] }).errors);
  if (read.items.length !== 1) throw new HttpError(422, `a dry run takes one alert; this ${adapter.title} payload holds ${read.items.length}`);
  const item = read.items[0] as (typeof read.items)[number];
  if ('errors' in item) throw new HttpError(422, `the alert does not read as ${adapter.title}`, item.errors);
  const { alert } = item.normalized;
  return { ...alert, id: alertIdFor(adapter.name, alert.sourceUid), source: adapter.name };
}
