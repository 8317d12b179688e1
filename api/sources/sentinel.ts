// Microsoft Sentinel incidents: the ARM incident resource ({id, name, properties}), or the
// incident trigger of an automation rule / Logic App ({object: {…}}), whose
// properties.relatedEntities carry the hosts, IPs, accounts, URLs and hashes.
import { Type } from '@sinclair/typebox';
import type { SourceAdapter } from './types.ts';
import { isInternalIp, isObject, pick, Reader, severityFromWord } from './util.ts';

export const sentinel: SourceAdapter = {
  name: 'sentinel',
  title: 'Microsoft Sentinel incident',
  docs: 'https://learn.microsoft.com/en-us/rest/api/securityinsights/incidents/get',
  canSign: true,
  schema: Type.Object(
    {
      name: Type.String({ description: 'The incident GUID' }),
      properties: Type.Object({
        title: Type.String(),
        severity: Type.String({ description: 'High, Medium, Low or Informational' }),
        createdTimeUtc: Type.String(),
        relatedEntities: Type.Optional(Type.Array(Type.Object({ kind: Type.String(), properties: Type.Record(Type.String(), Type.Unknown()) }))),
      }),
    },
    { description: 'An incident resource, or an automation-rule trigger body that wraps it in "object".' }
  ),
  items(body) {
    return [{ value: isObject(body) && isObject(body.object) ? body.object : body, at: 'incident' }];
  },
  normalize(inc) {
    const r = new Reader(inc);
    const name = r.str('name', { required: true });
    const title = r.str('properties.title', { required: true });
    const severity = r.str('properties.severity', { required: true });
    const time = r.time('properties.firstActivityTimeUtc') ?? r.time('properties.createdTimeUtc', { required: true });
    const entities = pick(inc, 'properties.relatedEntities') ?? pick(inc, 'entities');
    if (Array.isArray(entities)) {
      entities.forEach((e, i) => {
        const p = pick(e, 'properties');
        const at = `properties.relatedEntities[${i}].properties`;
        switch (pick(e, 'kind')) {
          case 'Host':
            r.add('hostname', (pick(p, 'hostName') ?? pick(p, 'netBiosName')) as string, 'src', `${at}.hostName`);
            break;
          case 'Ip':
            // Incidents do not say which side an address is on: ours are the host, others remote.
            r.add('ip', pick(p, 'address') as string, isInternalIp(String(pick(p, 'address'))) ? 'src' : 'dst', `${at}.address`);
            break;
          case 'Account':
            r.add('user', pick(p, 'accountName') as string, 'actor', `${at}.accountName`);
            break;
          case 'Url':
            r.add('url', pick(p, 'url') as string, 'dst', `${at}.url`);
            break;
          case 'DnsResolution':
            r.add('domain', pick(p, 'domainName') as string, 'dst', `${at}.domainName`);
            break;
          case 'FileHash':
            r.add('hash', pick(p, 'hashValue') as string, undefined, `${at}.hashValue`);
            break;
          case 'AzureResource':
            r.add('cloud_resource', pick(p, 'resourceId') as string, 'target', `${at}.resourceId`);
            break;
        }
      });
    }
    r.check();
    const rules = pick(inc, 'properties.relatedAnalyticRuleIds');
    const ruleId = Array.isArray(rules) && typeof rules[0] === 'string' ? rules[0] : undefined;
    return {
      alert: {
        sourceUid: name as string,
        time: time as string,
        severity_id: severityFromWord(severity),
        title: title as string,
        rule: { name: title as string, ...(ruleId ? { uid: ruleId } : {}) },
        observables: r.observables,
      },
      ...(pick(inc, 'properties.status') === 'Closed' ? { status: 'resolved' as const } : {}),
    };
  },
  example: {
    id: '/subscriptions/d0cfe6b2-9ac0-4464-9919-dccaee2e48c0/resourceGroups/soc/providers/Microsoft.OperationalInsights/workspaces/soc-ws/providers/Microsoft.SecurityInsights/Incidents/73e01a99-5cd7-4139-a149-9f2736ff2ab5',
    name: '73e01a99-5cd7-4139-a149-9f2736ff2ab5',
    type: 'Microsoft.SecurityInsights/Incidents',
    properties: {
      title: 'Beaconing to a newly registered domain',
      description: 'A host made periodic connections to a domain first seen today.',
      severity: 'High',
      status: 'New',
      incidentNumber: 3177,
      createdTimeUtc: '2026-11-27T10:10:00Z',
      firstActivityTimeUtc: '2026-11-27T09:58:00Z',
      lastActivityTimeUtc: '2026-11-27T10:09:00Z',
      relatedAnalyticRuleIds: ['/subscriptions/d0cf/resourceGroups/soc/providers/Microsoft.OperationalInsights/workspaces/soc-ws/providers/Microsoft.SecurityInsights/alertRules/fab3d2d4-747f-46a7-8ef0-9c0be8112bf7'],
      relatedEntities: [
        { kind: 'Host', properties: { hostName: 'web-1', dnsDomain: 'corp.test', friendlyName: 'web-1' } },
        { kind: 'Ip', properties: { address: '203.0.113.7', friendlyName: '203.0.113.7' } },
        { kind: 'DnsResolution', properties: { domainName: 'c2-never-seen.test', friendlyName: 'c2-never-seen.test' } },
      ],
    },
  },
};
