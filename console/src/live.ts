// Reading something the API has, and reading it again when the cases it shows change (GET
// /v1/events) — or every `everyMs` in case the stream was down.
import { useEffect, useState } from 'preact/hooks';
import { onCaseChanges } from './api.ts';

/** Changes told close together are read once. */
const SETTLE_MS = 150;

export function useLive<T>(
  read: () => Promise<T>,
  o: { wants: (caseIds: string[]) => boolean; everyMs: number; describe: (err: unknown) => string },
  deps: unknown[]
): { data: T | undefined; error: string | undefined } {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      if (timer) clearTimeout(timer);
      try {
        const value = await read();
        if (stopped) return;
        setData(value);
        setError(undefined);
      } catch (err) {
        if (!stopped) setError(o.describe(err));
      }
      if (!stopped) timer = setTimeout(() => void load(), o.everyMs);
    };
    void load();
    const stop = onCaseChanges((ids) => {
      if (!o.wants(ids)) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => void load(), SETTLE_MS);
    });
    return () => {
      stopped = true;
      stop();
      if (timer) clearTimeout(timer);
    };
  }, deps);
  return { data, error };
}
