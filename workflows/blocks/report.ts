// Runs in the Temporal sandbox. The closing report: what was found, who is in scope, what was
// collected (with hashes), what was done (and what was only simulated), who approved, and how
// long each part took — plain text, for the ticket and the record.
import { severityName } from '../../core/alert.ts';
import type { PlaybookView } from '../../core/case.ts';

export function caseReport(view: PlaybookView, endedAt: string): string {
  const lines: string[] = [];
  const section = (title: string) => lines.push('', title);
  lines.push(`Riposte report — case ${view.caseId} (${view.playbook}${view.version ? ` v${view.version}` : ''}${view.dryRun ? ', DRY RUN: nothing was changed' : ''})`);
  lines.push(`Alert: ${view.title} — severity ${severityName(view.severity_id)} (${view.severity_id})`);
  lines.push(`Host: ${[view.host.hostname, view.host.ip].filter(Boolean).join(' / ') || 'unknown'}`);
  if (view.remote.domains.length + view.remote.ips.length > 0) lines.push(`Remote: ${[...view.remote.domains, ...view.remote.ips].join(', ')}`);
  if (view.indicators?.length) lines.push(`Indicators: ${view.indicators.map((i) => i.value).join(', ')}`);

  if (view.scope?.length) {
    section('Scope:');
    for (const s of view.scope) lines.push(`- ${s.type} ${s.value}${s.ip && s.ip !== s.value ? ` (${s.ip})` : ''}: ${s.joinedBy === 'alert' ? 'in the alert' : `${s.joinedBy} — ${s.reason}`}`);
  }
  section('Found:');
  for (const e of view.enrichment) {
    lines.push(`- ${e.source} ${e.observable.value}: ${e.status === 'ok' ? `${e.verdict.level} — ${e.verdict.summary}` : `${e.status} — ${e.reason}`}`);
  }
  if (view.sightings?.length) lines.push(`- ${view.sightings.length} sighting${view.sightings.length === 1 ? '' : 's'} in the logs: ${[...new Set(view.sightings.map((s) => s.host).filter(Boolean))].join(', ') || 'no host named'}`);
  if (view.assessment) {
    lines.push(`Verdict: ${view.assessment.level}, score ${view.assessment.score}${view.assessment.conclusive ? '' : ' (severity decided)'}`);
    for (const r of view.assessment.reasons) lines.push(`  - ${r}`);
  }
  if (view.evidence?.length) {
    section('Evidence (chain of custody):');
    for (const e of view.evidence) lines.push(`- ${e.kind} of ${e.source} by ${e.tool} at ${e.at}: ${e.evidenceId}${e.sha256 ? `, sha256 ${e.sha256}` : ''}${e.bytes !== undefined ? `, ${e.bytes} bytes` : ''} — ${e.uri}`);
  }
  section('Done:');
  for (const a of view.approvals) {
    lines.push(`- approval "${a.action}": ${a.status}${a.decidedBy ? ` by ${a.decidedBy}` : ''}${a.decidedAt ? ` at ${a.decidedAt}` : ''}${a.comment ? ` ("${a.comment}")` : ''}`);
  }
  if (view.actions?.length) {
    for (const a of view.actions) lines.push(`- ${a.simulated ? 'SIMULATED (nothing changed): ' : ''}${a.description} — ${a.driver}, action ${a.id}${a.undo ? ' (undo available)' : ''}`);
  } else if (view.containment) {
    lines.push(`- containment by ${view.containment.driver} at ${view.containment.at}:`);
    for (const action of view.containment.action.split('\n')) lines.push(`  ${action}`);
  } else {
    lines.push('- no containment');
  }
  if (view.skipped?.length) {
    section('Not configured (skipped):');
    for (const s of view.skipped) lines.push(`- ${s.step}: ${s.reason}${s.enableWith.length ? ` (set ${s.enableWith.join(', ')})` : ''}`);
  }
  section('Timings:');
  lines.push(`- started ${view.startedAt}, report at ${endedAt} (${seconds(view.startedAt, endedAt)} s)`);
  for (const a of view.approvals) {
    if (a.decidedAt) lines.push(`- approval "${a.id}" waited ${seconds(a.requestedAt, a.decidedAt)} s`);
  }
  const firstAction = view.actions?.find((a) => !a.simulated);
  if (firstAction) lines.push(`- first action ${seconds(view.startedAt, firstAction.at)} s after the run started`);
  return lines.join('\n');
}

function seconds(from: string, to: string): string {
  return ((Date.parse(to) - Date.parse(from)) / 1000).toFixed(1);
}
