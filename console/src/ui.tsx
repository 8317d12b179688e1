// What the console's pages share: reading something once (and again on demand) with its loading
// and error states, and a button that makes one write and says how it went.
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api, message } from './api.ts';

export interface Read<T> {
  data: T | undefined;
  error: string | undefined;
  /** Reads again (the data shown meanwhile stays); settles once the new data (or error) is shown. */
  reload: () => Promise<void>;
}

/** Reads `read()` when `deps` change or `reload()` is called. */
export function useRead<T>(read: () => Promise<T>, deps: unknown[]): Read<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string>();
  const [tick, setTick] = useState(0);
  /** Who waits for the read under way (reload's promises). */
  const waiting = useRef<Array<() => void>>([]);
  useEffect(() => {
    let stopped = false;
    const settled = () => waiting.current.splice(0).forEach((resolve) => resolve());
    read()
      .then(
        (value) => {
          if (stopped) return;
          setData(value);
          setError(undefined);
        },
        (err: unknown) => {
          if (!stopped) setError(message(err));
        }
      )
      .finally(() => {
        if (!stopped) settled();
      });
    return () => {
      stopped = true;
    };
  }, [...deps, tick]);
  const reload = useCallback(
    () =>
      new Promise<void>((resolve) => {
        waiting.current.push(resolve);
        setTick((t) => t + 1);
      }),
    []
  );
  return { data, error, reload };
}

/**
 * A page's data once it is there: "Loading …" before, the error when the read failed, `empty`
 * when `isEmpty(data)`; else `children(data)`. An error after data came keeps the data, and says so.
 */
export function Loaded<T>({ read, what, isEmpty, empty, children }: { read: Read<T>; what: string; isEmpty?: (data: T) => boolean; empty?: ComponentChildren; children: (data: T) => ComponentChildren }) {
  if (read.data === undefined) {
    return read.error ? (
      <p role="alert" class="error">
        Could not read {what}: {read.error}
      </p>
    ) : (
      <p class="loading">Loading {what}…</p>
    );
  }
  return (
    <>
      {read.error && (
        <p role="alert" class="error">
          Could not read {what} again: {read.error}
        </p>
      )}
      {isEmpty?.(read.data) ? <p class="empty">{empty}</p> : children(read.data)}
    </>
  );
}

/** A button that makes one write (POST or DELETE) and says how it went. */
export function Act({ label, ariaLabel, method = 'POST', path, body, onDone, describedBy }: { label: string; ariaLabel?: string; method?: 'POST' | 'DELETE'; path: string; body?: unknown; onDone: (answer: unknown) => void; describedBy?: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  return (
    <>
      <button
        type="button"
        disabled={busy}
        aria-label={ariaLabel}
        aria-describedby={describedBy}
        onClick={() => {
          setBusy(true);
          setError(undefined);
          api(method, path, body === undefined ? {} : { body })
            .then(onDone, (err: unknown) => setError(message(err)))
            .finally(() => setBusy(false));
        }}
      >
        {label}
      </button>
      {error && (
        <span role="alert" class="error">
          {' '}
          {error}
        </span>
      )}
    </>
  );
}

/** "2026-11-27 10:00:00Z"-like local time with the relative time as its title. */
export function When({ at }: { at: string | null | undefined }) {
  if (!at) return <span class="muted">—</span>;
  const d = new Date(at);
  return (
    <time dateTime={at} title={at}>
      {d.toLocaleString()}
    </time>
  );
}
