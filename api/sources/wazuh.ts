// Wazuh alerts (one alerts.json entry, or NDJSON lines of them). rule.level 0–15 maps to OCSF.
import { isIP } from 'node:net';
import { Type } from '@sinclair/typebox';
import type { SeverityId } from '../../core/alert.ts';
import type { SourceAdapter, SourceItem } from './types.ts';
import { ndjson, Reader } from './util.ts';

export function wazuhSeverity(level: number | undefined): SeverityId {
  if (level === undefined) return 0;
  return level >= 15 ? 5 : level >= 12 ? 4 : level >= 8 ? 3 : level >= 4 ? 2 : 1;
}

export const wazuh: SourceAdapter = {
  name: 'wazuh',
  title: 'Wazuh alert (alerts.json entry; one object, an array, or NDJSON)',
  docs: 'https://documentation.wazuh.com/current/user-manual/manager/alert-management.html',
  canSign: true,
  lines: true,
  schema: Type.Object(
    {
      timestamp: Type.String(),
      id: Type.String({ description: '<epoch>.<offset>' }),
      rule: Type.Object({ level: Type.Integer({ minimum: 0, maximum: 16 }), description: Type.String(), id: Type.String() }),
      agent: Type.Object({ id: Type.String(), name: Type.String(), ip: Type.Optional(Type.String()) }),
      manager: Type.Optional(Type.Object({ name: Type.String() })),
      data: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    },
    { description: 'An alerts.json entry. Fields read: agent.name/ip, data.srcip, data.dstip, data.srcuser, data.dstuser, data.url, syscheck.sha256/sha1/md5_after, syscheck.audit.user.name, data.virustotal.source.sha256/sha1/md5, data.virustotal.sha1 and .permalink (VirusTotal integration).' }
  ),
  items(body, text): SourceItem[] {
    if (body === undefined) return ndjson(text);
    return Array.isArray(body) ? body.map((value, i) => ({ value, at: `[${i}]` })) : [{ value: body, at: 'alert' }];
  },
  normalize(a) {
    const r = new Reader(a);
    const id = r.str('id', { required: true });
    const time = r.time('timestamp', { required: true });
    const description = r.str('rule.description', { required: true });
    const ruleId = r.str('rule.id', { required: true });
    const level = r.num('rule.level', { required: true });
    const manager = r.str('manager.name') ?? 'wazuh';
    const srcip = r.str('data.srcip');
    const agentIp = r.str('agent.ip');
    // The agent's host is the source unless the alert names another source (an attacker).
    const agentRole = srcip && srcip !== agentIp ? 'target' : 'src';
    r.field('hostname', 'agent.name', agentRole);
    if (agentIp && isIP(agentIp)) r.add('ip', agentIp, agentRole, 'agent.ip');
    r.field('ip', 'data.srcip', 'src');
    r.field('ip', 'data.dstip', 'dst');
    r.field('user', 'data.srcuser', 'actor');
    r.field('user', 'data.dstuser', 'target');
    r.field('url', 'data.url', 'dst');
    // File integrity monitoring: the file as it is now, and (who-data) the user who changed it.
    for (const algo of ['sha256', 'sha1', 'md5']) r.field('hash', `syscheck.${algo}_after`);
    r.field('user', 'syscheck.audit.user.name', 'actor');
    // The VirusTotal integration's verdict on a FIM alert's file. Wazuh's script copies the MD5 and
    // SHA-1 it looked up (custom ones may add source.sha256); the SHA-256 is otherwise only in
    // VirusTotal's permalink (…/file/<sha256>/…).
    for (const algo of ['sha256', 'sha1', 'md5']) r.field('hash', `data.virustotal.source.${algo}`);
    r.field('hash', 'data.virustotal.sha1');
    const permalink = r.str('data.virustotal.permalink');
    r.add('hash', permalink && /\/file\/([0-9a-fA-F]{64})(?:\/|$)/.exec(permalink)?.[1], undefined, 'data.virustotal.permalink');
    r.check();
    return {
      alert: {
        sourceUid: `${manager}/${id}`,
        time: time as string,
        severity_id: wazuhSeverity(level),
        title: description as string,
        rule: { name: description as string, uid: ruleId as string },
        observables: r.observables,
      },
    };
  },
  example: {
    timestamp: '2026-11-27T10:11:02.114+0000',
    rule: { level: 10, description: 'sshd: brute force trying to get access to the system. Non existent user.', id: '5712', mitre: { id: ['T1110'], tactic: ['Credential Access'], technique: ['Brute Force'] }, firedtimes: 1, groups: ['syslog', 'sshd', 'authentication_failures'] },
    agent: { id: '004', name: 'bastion-1', ip: '10.0.2.4' },
    manager: { name: 'wazuh-manager' },
    id: '1795827062.1184502',
    full_log: 'Nov 27 10:11:01 bastion-1 sshd[2231]: Invalid user admin from 198.51.100.77 port 51234',
    decoder: { parent: 'sshd', name: 'sshd' },
    data: { srcip: '198.51.100.77', srcport: '51234', srcuser: 'admin' },
    location: '/var/log/auth.log',
  },
};
