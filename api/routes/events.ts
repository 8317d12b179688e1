// GET /v1/events: a server-sent event stream of which cases changed, for the console's live
// inbox and case pages (EventSource, with the session cookie). Each event names case ids; the
// page reads what it shows of them again through the API, so the stream carries no case data.
import type { Request, Response } from 'express';
import type { CaseEvents } from '../case-events.ts';
import type { RouteSpec } from '../openapi.ts';

/** A comment line this often keeps proxies (HAProxy's 70 s, nginx's 60 s) from closing a quiet stream. */
const HEARTBEAT_MS = 25_000;

export function eventRoutes(events: CaseEvents): RouteSpec[] {
  return [
    {
      method: 'get',
      path: '/v1/events',
      operationId: 'streamCaseEvents',
      summary: 'Which cases changed, as they change: a server-sent event stream (text/event-stream)',
      description:
        'Each `cases` event carries `{"caseIds": [...]}`: cases with new alerts (at once) or new facts in their record — playbook steps, approvals, actions, verdicts, comments (within about a second). ' +
        'Read them again through the API. A comment line comes every 25 s; the stream stays open until the client closes it, and EventSource reconnects by itself (`retry: 3000`).',
      tags: ['cases'],
      roles: ['viewer'],
      responses: { 200: { description: 'text/event-stream' } },
      handler: (req: Request, res: Response) => {
        res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache, no-transform', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
        res.write('retry: 3000\n: connected\n\n');
        const unsubscribe = events.subscribe(
          (caseIds) => void res.write(`event: cases\ndata: ${JSON.stringify({ caseIds })}\n\n`),
          () => res.end()
        );
        const heartbeat = setInterval(() => void res.write(': keep-alive\n\n'), HEARTBEAT_MS);
        req.socket.setTimeout(0);
        res.on('close', () => {
          clearInterval(heartbeat);
          unsubscribe();
        });
      },
    },
  ];
}
