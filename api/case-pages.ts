// Every case opened in a period, a page at a time (newest first, the list's cursor), up to a cap:
// what the summaries, the period report and the SLA watch walk through.
import type { AlertStore, StoredCase } from '../store/types.ts';

const PAGE = 500;

export async function* casePages(store: AlertStore, range: { since?: string; until?: string }, cap = Number.POSITIVE_INFINITY): AsyncGenerator<StoredCase[]> {
  let read = 0;
  let cursor: string | undefined;
  for (;;) {
    const page = await store.listCases({ limit: PAGE, ...(range.since ? { since: range.since } : {}), ...(range.until ? { until: range.until } : {}), ...(cursor ? { before: cursor } : {}) });
    if (page.length) yield page;
    read += page.length;
    if (page.length < PAGE || read >= cap) return;
    const last = page.at(-1) as StoredCase;
    cursor = `${last.createdAt}|${last.id}`;
  }
}
