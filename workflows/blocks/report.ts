// Runs in the Temporal sandbox. The closing report: what was found, what was done, who
// approved, and how long each part took — plain text, for the ticket and the record.
import { severityName } from '../../core/alert.ts';
import type { PlaybookView } from '../../core/case.ts';

export function caseReport(view: PlaybookView, endedAt: string): string {
  const lines: string[] = [];
  lines.push(`Riposte report — case ${view.caseId} (${view.playbook})`);
  lines.push(`Alert: ${view.title} — severity ${severityName(view.severity_id)} (${view.severity_id})`);
  lines.push(`Host: ${[view.host.hostname, view.host.ip].filter(Boolean).join(' / ') || 'unknown'}`);
  lines.push(`Remote: ${[...view.remote.domains, ...view.remote.ips].join(', ') || 'none named'}`);
  lines.push('');
  lines.push('Found:');
  for (const e of view.enrichment) {
    lines.push(`- ${e.source} ${e.observable.value}: ${e.status === 'ok' ? `${e.verdict.level} — ${e.verdict.summary}` : `${e.status} — ${e.reason}`}`);
  }
  if (view.assessment) {
    lines.push(`Verdict: ${view.assessment.level}, score ${view.assessment.score}${view.assessment.conclusive ? '' : ' (severity decided)'}`);
  }
  lines.push('');
  lines.push('Done:');
  for (const a of view.approvals) {
    lines.push(`- approval "${a.action}": ${a.status}${a.decidedBy ? ` by ${a.decidedBy}` : ''}${a.decidedAt ? ` at ${a.decidedAt}` : ''}${a.comment ? ` ("${a.comment}")` : ''}`);
  }
  if (view.containment) {
    lines.push(`- containment by ${view.containment.driver} at ${view.containment.at}:`);
    for (const action of view.containment.action.split('\n')) lines.push(`  ${action}`);
  } else {
    lines.push('- no containment');
  }
  lines.push('');
  lines.push('Timings:');
  lines.push(`- started ${view.startedAt}, report at ${endedAt} (${seconds(view.startedAt, endedAt)} s)`);
  for (const a of view.approvals) {
    if (a.decidedAt) lines.push(`- approval waited ${seconds(a.requestedAt, a.decidedAt)} s`);
  }
  if (view.containment) lines.push(`- contained ${seconds(view.startedAt, view.containment.at)} s after the case opened`);
  return lines.join('\n');
}

function seconds(from: string, to: string): string {
  return ((Date.parse(to) - Date.parse(from)) / 1000).toFixed(1);
}
