// Runs in the Temporal sandbox (and is imported by the API and the dev-server launcher).
// Riposte's Temporal search attributes: the Temporal UI and CLI filter case and playbook
// workflows by them, e.g. `temporal workflow list --query 'RiposteCaseId="cs_…"'`.
//
// A namespace must have them registered before a workflow may carry them: `npm start` registers
// them on its dev server (`--search-attribute`); on a cluster an operator registers them once
// (docs/configuration.md says how) or sets RIPOSTE_SEARCH_ATTRIBUTES=off. Workflows carry them only
// when their starter set them, so histories from before (or from a namespace without them) replay
// unchanged, and a run whose case carries them carries them too.
import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair, type SearchAttributeUpdatePair, type TypedSearchAttributes } from '@temporalio/common';
import { alertHost, severityName, type NativeAlert } from '../core/alert.ts';

export const CASE_ID = defineSearchAttributeKey('RiposteCaseId', SearchAttributeType.KEYWORD);
/** The severity's name (informational … critical) of the alert that started the workflow, or of its first batch. */
export const SEVERITY = defineSearchAttributeKey('RiposteSeverity', SearchAttributeType.KEYWORD);
/** A playbook run's status as its case record has it: running, awaiting_approval, contained, closed, failed. */
export const STATUS = defineSearchAttributeKey('RiposteStatus', SearchAttributeType.KEYWORD);
/** Hosts in scope (names and addresses). */
export const HOST = defineSearchAttributeKey('RiposteHost', SearchAttributeType.KEYWORD_LIST);
export const PLAYBOOK = defineSearchAttributeKey('RipostePlaybook', SearchAttributeType.KEYWORD);

/** Every attribute with the type the dev server's `--search-attribute name=Type` flag names. */
export const SEARCH_ATTRIBUTES: ReadonlyArray<{ name: string; type: 'Keyword' | 'KeywordList' }> = [
  { name: CASE_ID.name, type: 'Keyword' },
  { name: SEVERITY.name, type: 'Keyword' },
  { name: STATUS.name, type: 'Keyword' },
  { name: HOST.name, type: 'KeywordList' },
  { name: PLAYBOOK.name, type: 'Keyword' },
];

/** Hosts an alert names (name and address), at most a few. */
export function alertHosts(alerts: NativeAlert[]): string[] {
  const out = new Set<string>();
  for (const a of alerts) {
    const h = alertHost(a);
    if (h.hostname) out.add(h.hostname);
    if (h.ip) out.add(h.ip);
  }
  return [...out].slice(0, HOSTS_KEPT);
}

/** Keyword lists stay short: enough to find a case by a host in it. */
export const HOSTS_KEPT = 20;

/** A case workflow's attributes at its start: the case, its first batch's top severity and hosts. */
export function caseSearchAttributes(caseId: string, alerts: NativeAlert[]): SearchAttributePair[] {
  const pairs: SearchAttributePair[] = [{ key: CASE_ID, value: caseId }];
  if (alerts.length > 0) pairs.push({ key: SEVERITY, value: severityName(Math.max(...alerts.map((a) => a.severity_id))) });
  const hosts = alertHosts(alerts);
  if (hosts.length > 0) pairs.push({ key: HOST, value: hosts });
  return pairs;
}

/** A playbook run's attributes at its start (set by its case, when the case carries them). */
export function runSearchAttributes(caseId: string, playbook: string, alert: NativeAlert): SearchAttributePair[] {
  const pairs: SearchAttributePair[] = [
    { key: CASE_ID, value: caseId },
    { key: PLAYBOOK, value: playbook },
    { key: SEVERITY, value: severityName(alert.severity_id) },
    { key: STATUS, value: 'running' },
  ];
  const hosts = alertHosts([alert]);
  if (hosts.length > 0) pairs.push({ key: HOST, value: hosts });
  return pairs;
}

/** Whether a workflow was started with Riposte's attributes (so it may upsert them). */
export function carriesSearchAttributes(attrs: TypedSearchAttributes): boolean {
  return attrs.get(CASE_ID) !== undefined;
}

/** What changed in a run's status and hosts since the attributes were last written. */
export function runAttributeUpdates(attrs: TypedSearchAttributes, status: string, hosts: string[]): SearchAttributeUpdatePair[] {
  const updates: SearchAttributeUpdatePair[] = [];
  if (attrs.get(STATUS) !== status) updates.push({ key: STATUS, value: status });
  const kept = hosts.slice(0, HOSTS_KEPT);
  const known = attrs.get(HOST) ?? [];
  if (kept.length > 0 && (kept.length !== known.length || kept.some((h, i) => known[i] !== h))) updates.push({ key: HOST, value: kept });
  return updates;
}
