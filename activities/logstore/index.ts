// The local log store as a hunting backend: indicators in, sightings out.
import { checkHunt, mentions } from '../hunting/match.ts';
import type { HuntInput, HuntResult, HuntSighting } from '../hunting/types.ts';
import path from 'node:path';
import { defineIntegration } from '../shared/integration.ts';
import { LogStore } from './store.ts';
import { info } from './info.ts';

export { info };

export function createLogstoreActivities(deps: { store?: LogStore | (() => LogStore) }) {
  let opened: LogStore | undefined;
  const store = () => (opened ??= typeof deps.store === 'function' ? deps.store() : deps.store);
  return {
    async logstoreHunt(input: HuntInput): Promise<HuntResult> {
      const { from, to, limit } = checkHunt(input);
      if (!deps.store) return { status: 'skipped', backend: 'logstore', reason: 'no local log store' };
      const logs = store() as LogStore;
      // The trigram index finds candidate lines; the exact indicator match decides.
      const candidates = logs.search(input.indicators.map((o) => o.value), from.toISOString(), to.toISOString(), limit * 5 + 1);
      const sightings: HuntSighting[] = [];
      for (const c of candidates) {
        for (const indicator of mentions(c.line, input.indicators)) {
          sightings.push({ indicator, at: c.at, ...(c.host ? { host: c.host } : {}), backend: 'logstore', where: `${c.kind} ${c.file}`, excerpt: c.line.slice(0, 500) });
        }
      }
      return { status: 'ok', backend: 'logstore', sightings: sightings.slice(0, limit), truncated: sightings.length > limit || candidates.length > limit * 5, from: from.toISOString(), to: to.toISOString() };
    },
  };
}

/** Registered in activities/catalog.ts; the store opens on the first hunt. */
export const integration = defineIntegration({ info, activities: (ctx) => createLogstoreActivities({ store: () => new LogStore(ctx.env.RIPOSTE_LOGSTORE_FILE ?? path.join(ctx.dataDir, 'logs.db')) }) });
