// Every alert source Riposte reads, by the name in POST /v1/alerts/{name}.
// Adding one: a file in this folder exporting a SourceAdapter, and one line here.
import { alertmanager } from './alertmanager.ts';
import { crowdstrike } from './crowdstrike.ts';
import { elastic } from './elastic.ts';
import { falco } from './falco.ts';
import { guardduty } from './guardduty.ts';
import { hunt } from './hunt.ts';
import { ocsf } from './ocsf.ts';
import { securityhub } from './securityhub.ts';
import { sentinel } from './sentinel.ts';
import { splunk } from './splunk.ts';
import type { SourceAdapter } from './types.ts';
import { suricata } from './suricata.ts';
import { wazuh } from './wazuh.ts';

export const SOURCES: readonly SourceAdapter[] = [guardduty, securityhub, suricata, alertmanager, splunk, elastic, sentinel, crowdstrike, wazuh, falco, ocsf, hunt];

export const SOURCE_NAMES = SOURCES.map((s) => s.name);

export function sourceByName(name: string): SourceAdapter | undefined {
  return SOURCES.find((s) => s.name === name);
}
