// The incident report of one case, as a post-incident review reads it: what happened, what was
// found, who decided what, what was done and undone, the evidence with its hashes, and the
// timings. One model, rendered as Markdown, HTML (printable) or JSON — from the case record, so
// it reads the same with no worker and after Temporal's history is gone.
import { severityName } from '../core/alert.ts';
import type { CaseView } from '../core/case.ts';

export interface ReportTable {
  head: string[];
  rows: string[][];
}

export interface ReportSection {
  heading: string;
  lines?: string[];
  table?: ReportTable;
}

export interface CaseReport {
  caseId: string;
  title: string;
  generatedAt: string;
  sections: ReportSection[];
}

const seconds = (ms: number | undefined) => (ms === undefined ? '—' : `${(ms / 1000).toFixed(1)} s`);

export function caseReport(view: CaseView, generatedAt = new Date().toISOString()): CaseReport {
  const sections: ReportSection[] = [];
  const add = (s: ReportSection) => {
    if (s.lines?.length || s.table?.rows.length) sections.push(s);
  };
  add({
    heading: 'Summary',
    table: {
      head: ['', ''],
      rows: [
        ['Status', view.status],
        ['Severity', `${severityName(view.severity_id)} (${view.severity_id})`],
        ['Opened', view.createdAt],
        ['Last alert', view.lastAlertAt],
        ...(view.resolution ? [['Closed', `${view.resolution.at} by ${view.resolution.by}: ${view.resolution.text}`]] : []),
        ...(view.verdict ? [['Verdict', `${view.verdict.verdict.replace('_', ' ')} by ${view.verdict.by} at ${view.verdict.at}${view.verdict.comment ? ` — ${view.verdict.comment}` : ''}`]] : []),
        ...(view.assignee ? [['Assignee', view.assignee]] : []),
        ['Playbooks', view.playbooks.map((p) => `${p.playbook} (${p.status})`).join(', ') || 'none'],
        ...(view.tags.length ? [['Tags', view.tags.join(', ')]] : []),
        ...(view.ticket ? [['Ticket', `${view.ticket.system} ${view.ticket.key}${view.ticket.url ? ` ${view.ticket.url}` : ''}`]] : []),
        ['Alerts', String(view.alertCount)],
      ],
    },
  });
  add({ heading: 'What happened', table: { head: ['Received', 'Source', 'Alert', 'Event time', 'Count'], rows: view.alerts.map((a) => [a.receivedAt, a.source, `${a.title}${a.status === 'resolved' ? ' (resolved)' : ''}`, a.time, String(a.count)]) } });
  add({ heading: 'Scope', table: { head: ['Kind', 'Entity', 'How it joined'], rows: view.scope.map((s) => [s.type, `${s.value}${s.ip && s.ip !== s.value ? ` (${s.ip})` : ''}`, s.joinedBy === 'alert' ? 'named by an alert' : `${s.joinedBy}: ${s.reason}`]) } });
  add({
    heading: 'What was found',
    lines: [
      ...(view.assessment ? [`Assessment: ${view.assessment.level}, score ${view.assessment.score}${view.assessment.conclusive ? '' : ' (severity decided)'}`, ...view.assessment.reasons.map((r) => `- ${r}`)] : []),
      ...(view.sightings.length ? [`${view.sightings.length} sighting(s) of the indicators in the logs, on ${[...new Set(view.sightings.map((s) => s.host).filter(Boolean))].join(', ') || 'no named host'}`] : []),
    ],
    table: {
      head: ['Source', 'Indicator', 'Result'],
      rows: view.enrichment.map((e) => [e.source, e.observable.value, e.status === 'ok' ? `${e.verdict.level} — ${e.verdict.summary}` : `${e.status} — ${e.reason}`]),
    },
  });
  const decisions: string[][] = [
    ...view.approvals.map((a) => [a.decidedAt ?? a.requestedAt, a.decidedBy ?? (a.status === 'timed_out' ? 'nobody (timed out)' : '—'), `approval "${a.action}": ${a.status.replace('_', ' ')}`, a.comment ?? '']),
    ...view.timeline.filter((t) => ['verdict', 'close', 'reopen', 'assign', 'undo', 'comment'].includes(t.step)).map((t) => [t.at, t.actor ?? '', t.step, t.message]),
  ].sort((a, b) => String(a[0]).localeCompare(String(b[0])));
  add({ heading: 'Who decided what', table: { head: ['When', 'Who', 'What', 'Said'], rows: decisions } });
  add({
    heading: 'What was done and undone',
    table: {
      head: ['When', 'Action', 'Driver', 'Approved by', 'State'],
      rows: view.actions.map((a) => [
        a.at,
        `${a.simulated ? 'SIMULATED (nothing changed): ' : ''}${a.description}`,
        a.driver,
        a.approvedBy ?? '—',
        a.status === 'applied' ? `in place${a.undo ? ' (undo available)' : ''}` : `${a.status.replace('_', ' ')}${a.undone ? ` by ${a.undone.by} at ${a.undone.at}: ${a.undone.description}` : ''}`,
      ]),
    },
  });
  add({ heading: 'Evidence (chain of custody)', table: { head: ['Evidence', 'Kind', 'From', 'SHA-256', 'Bytes', 'Tool', 'Where', 'When'], rows: view.evidence.map((e) => [e.evidenceId, e.kind, e.source, e.sha256 ?? '—', e.bytes === undefined ? '—' : String(e.bytes), e.tool, e.uri, e.at]) } });
  add({
    heading: 'Timings',
    table: {
      head: ['Time to', 'Duration'],
      rows: [
        ['detect (event → ingested)', seconds(view.timings.detectMs)],
        ['acknowledge (opened → first human action)', seconds(view.timings.acknowledgeMs)],
        ['contain (opened → containment in place)', seconds(view.timings.containMs)],
        ['resolve (opened → closed)', seconds(view.timings.resolveMs)],
      ],
    },
  });
  add({ heading: 'Not configured (skipped)', lines: view.skipped.map((s) => `- ${s.step}: ${s.reason}${s.enableWith.length ? ` (set ${s.enableWith.join(', ')})` : ''}`) });
  add({ heading: 'Timeline', table: { head: ['When', 'Step', 'What', 'Who'], rows: view.timeline.map((t) => [t.at, t.step, t.message, t.actor ?? '']) } });
  return { caseId: view.caseId, title: `Incident report — case ${view.caseId}: ${view.title}`, generatedAt, sections };
}

const mdCell = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

export function reportMarkdown(r: CaseReport): string {
  const out = [`# ${r.title}`, '', `Generated ${r.generatedAt} by Riposte from the case record.`];
  for (const s of r.sections) {
    out.push('', `## ${s.heading}`, '');
    if (s.lines?.length) out.push(...s.lines, '');
    if (s.table?.rows.length) {
      out.push(`| ${s.table.head.map(mdCell).join(' | ')} |`, `|${s.table.head.map(() => '---').join('|')}|`);
      for (const row of s.table.rows) out.push(`| ${row.map(mdCell).join(' | ')} |`);
    }
  }
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n')}\n`;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

/** A page that prints well (A4, no navigation); everything from the case is escaped. */
export function reportHtml(r: CaseReport): string {
  const body = r.sections
    .map((s) => {
      const lines = s.lines?.length ? `<ul>${s.lines.map((l) => `<li>${esc(l.replace(/^- /, ''))}</li>`).join('')}</ul>` : '';
      const table = s.table?.rows.length
        ? `<table>${s.table.head.some(Boolean) ? `<thead><tr>${s.table.head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead>` : ''}<tbody>${s.table.rows.map((row) => `<tr>${row.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`
        : '';
      return `<section><h2>${esc(s.heading)}</h2>${lines}${table}</section>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(r.title)}</title>
<style>
body{font:11pt/1.4 system-ui,sans-serif;margin:2em;color:#111}h1{font-size:16pt}h2{font-size:13pt;margin-top:1.5em;border-bottom:1px solid #999}
table{border-collapse:collapse;width:100%;font-size:9.5pt}td,th{border:1px solid #bbb;padding:3px 5px;text-align:left;vertical-align:top;word-break:break-word}th{background:#eee}
@page{size:A4;margin:15mm}@media print{body{margin:0}section{break-inside:avoid-page}}
</style></head>
<body><h1>${esc(r.title)}</h1><p>Generated ${esc(r.generatedAt)} by Riposte from the case record.</p>
${body}
</body></html>
`;
}
