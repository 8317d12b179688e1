// Whether the namespace has Riposte's search attributes (workflows/search-attributes.ts): the
// dispatcher starts case workflows with them only then — a workflow started with an attribute the
// namespace does not know is refused.
import type { Client } from '@temporalio/client';
import type { Logger } from '../telemetry/logger.ts';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes.ts';

export async function searchAttributesRegistered(client: Client, mode: 'auto' | 'off', logger?: Pick<Logger, 'warn'>): Promise<boolean> {
  if (mode === 'off') return false;
  try {
    const { customAttributes } = await client.connection.operatorService.listSearchAttributes({ namespace: client.options.namespace });
    const missing = SEARCH_ATTRIBUTES.filter((a) => !customAttributes?.[a.name]).map((a) => `${a.name}=${a.type}`);
    if (missing.length === 0) return true;
    logger?.warn({ missing }, 'Temporal search attributes not registered in this namespace: workflows go without them (see docs/configuration.md, RIPOSTE_SEARCH_ATTRIBUTES)');
  } catch (err) {
    logger?.warn({ err: String(err) }, 'could not list the namespace\u2019s search attributes: workflows go without them');
  }
  return false;
}
