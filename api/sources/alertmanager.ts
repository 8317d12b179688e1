// Prometheus Alertmanager webhook (version "4"). Each element of `alerts` is one alert; a
// `resolved` notification for a known alert marks it (and tells its case) instead of adding one.
// Alertmanager cannot sign: configure http_config.authorization with a `source` token.
import { Type } from '@sinclair/typebox';
import { FormatError, type SourceAdapter } from './types.ts';
import { isIP } from 'node:net';
import { isObject, pick, Reader, severityFromWord, stripPort } from './util.ts';

export const alertmanager: SourceAdapter = {
  name: 'alertmanager',
  title: 'Prometheus Alertmanager webhook (version 4)',
  docs: 'https://prometheus.io/docs/alerting/latest/configuration/#webhook_config',
  canSign: false,
  schema: Type.Object(
    {
      version: Type.Literal('4'),
      status: Type.String(),
      receiver: Type.String(),
      groupKey: Type.String(),
      alerts: Type.Array(
        Type.Object({
          status: Type.Union([Type.Literal('firing'), Type.Literal('resolved')]),
          labels: Type.Record(Type.String(), Type.String()),
          annotations: Type.Optional(Type.Record(Type.String(), Type.String())),
          startsAt: Type.String(),
          endsAt: Type.Optional(Type.String()),
          fingerprint: Type.String(),
        })
      ),
    },
    { description: 'The webhook body; each element of alerts becomes (or updates) one alert.' }
  ),
  items(body) {
    if (!isObject(body)) throw new FormatError([{ path: '', message: 'must be the webhook JSON object' }]);
    if (body.version !== '4') throw new FormatError([{ path: 'version', message: `must be "4" (got ${JSON.stringify(body.version)})` }]);
    if (!Array.isArray(body.alerts)) throw new FormatError([{ path: 'alerts', message: 'must be an array' }]);
    const common = isObject(body.commonLabels) ? body.commonLabels : {};
    return body.alerts.map((a, i) => ({ value: isObject(a) ? { ...a, labels: { ...common, ...(isObject(a.labels) ? a.labels : {}) } } : a, at: `alerts[${i}]` }));
  },
  normalize(a) {
    const r = new Reader(a);
    const status = r.str('status', { required: true });
    if (status && status !== 'firing' && status !== 'resolved') r.errors.push({ path: 'status', message: 'must be firing or resolved' });
    const fp = r.str('fingerprint', { required: true });
    const startsAt = r.time('startsAt', { required: true });
    const labels = pick(a, 'labels');
    if (!isObject(labels)) r.errors.push({ path: 'labels', message: 'must be an object' });
    const name = r.str('labels.alertname', { required: true });
    const instance = r.str('labels.instance');
    if (instance) {
      const host = stripPort(instance);
      r.add(isIP(host) ? 'ip' : 'hostname', host, 'src', 'labels.instance');
    }
    for (const key of ['src_ip', 'source_ip']) r.field('ip', `labels.${key}`, 'src');
    for (const key of ['dst_ip', 'destination_ip', 'remote_ip']) r.field('ip', `labels.${key}`, 'dst');
    for (const key of ['domain', 'dst_domain', 'remote_domain']) r.field('domain', `labels.${key}`, 'dst');
    for (const key of ['user', 'username']) r.field('user', `labels.${key}`, 'actor');
    r.check();
    return {
      alert: {
        sourceUid: `${fp}/${startsAt}`,
        time: startsAt as string,
        severity_id: severityFromWord(r.str('labels.severity')),
        title: r.str('annotations.summary') ?? (name as string),
        rule: { name: name as string },
        observables: r.observables,
      },
      status: status as 'firing' | 'resolved',
    };
  },
  example: {
    receiver: 'riposte',
    status: 'firing',
    alerts: [
      {
        status: 'firing',
        labels: { alertname: 'SuspiciousEgress', severity: 'high', instance: '10.0.1.23:9100', remote_ip: '203.0.113.7' },
        annotations: { summary: 'Host 10.0.1.23 sends traffic to a blocklisted address' },
        startsAt: '2026-11-27T10:08:00Z',
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: 'http://prometheus:9090/graph?g0.expr=egress_blocklist_hits+%3E+0',
        fingerprint: '5f2b7c8d9e0a1b3c',
      },
    ],
    groupLabels: { alertname: 'SuspiciousEgress' },
    commonLabels: { alertname: 'SuspiciousEgress', severity: 'high' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    version: '4',
    groupKey: '{}:{alertname="SuspiciousEgress"}',
    truncatedAlerts: 0,
  },
};
