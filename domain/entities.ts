// What makes two alerts "the same" (fingerprint) and what makes them "related" (entities).
import { createHash } from 'node:crypto';
import type { NativeAlert, Observable } from '../core/alert.ts';

/** Stable ids: the same finding from the same source always gets the same alert id. */
export function alertIdFor(source: string, sourceUid: string): string {
  return `al_${createHash('sha256').update(`${source}\n${sourceUid}`).digest('hex').slice(0, 16)}`;
}

/**
 * source + rule + every observable (type, role, value), order-free. Repeats of one detection on
 * the same entities share it; the title and time do not count (sources put counters in titles).
 */
export function fingerprint(alert: Pick<NativeAlert, 'source' | 'rule' | 'observables' | 'title'>): string {
  const rule = alert.rule?.uid ?? alert.rule?.name ?? alert.title;
  const obs = alert.observables.map((o) => `${o.type}:${o.role ?? ''}:${o.value.toLowerCase()}`).sort();
  return createHash('sha256').update(JSON.stringify([alert.source, rule, obs])).digest('hex').slice(0, 32);
}

/**
 * The entities alerts correlate on: hosts, users, IPs, domains (also from URLs) and cloud
 * resources, as `kind:value` keys. Hashes and URLs themselves do not join cases.
 */
export function entityKeys(observables: Observable[]): string[] {
  const keys = new Set<string>();
  for (const o of observables) {
    const v = o.value.toLowerCase();
    switch (o.type) {
      case 'hostname':
        keys.add(`host:${v}`);
        break;
      case 'ip':
        keys.add(`ip:${v}`);
        break;
      case 'user':
      case 'email':
        keys.add(`user:${v}`);
        break;
      case 'domain':
        keys.add(`domain:${v}`);
        break;
      case 'url': {
        const host = urlHost(o.value);
        if (host) keys.add(`domain:${host}`);
        break;
      }
      case 'cloud_resource':
        keys.add(`cloud:${v}`);
        break;
    }
  }
  return [...keys].sort();
}

export function urlHost(url: string): string | undefined {
  try {
    return new URL(url.includes('://') ? url : `http://${url}`).hostname.toLowerCase() || undefined;
  } catch {
    return undefined;
  }
}
