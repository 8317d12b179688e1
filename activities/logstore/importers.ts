// Readers of the log formats the local store imports. Each turns one line into its time, host
// and text, or nothing for a line it does not recognize.
//   squid     — access.log, native format: "<epoch.ms> <elapsed> <client> <code/status> <bytes> <method> <url> …"
//   dnsmasq   — log-queries lines: "<Mon dd hh:mm:ss> dnsmasq[pid]: query[A] name from client" (local time)
//   zeek-dns  — Zeek dns.log as JSON lines: {"ts": …, "id.orig_h": …, "query": …}
// `queriedDomain` reads the domain a line looked up (DNS) or visited (proxy), for the first-seen
// store.
import fs from 'node:fs';
import { isIP } from 'node:net';
import type { LogLine, LogStore } from './store.ts';

export type LogKind = 'squid' | 'dnsmasq' | 'zeek-dns';
export const LOG_KINDS: readonly LogKind[] = ['squid', 'dnsmasq', 'zeek-dns'];

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Reads one line; `now` places syslog times (which have no year) in the latest past year. */
export function parseLine(kind: LogKind, line: string, now = new Date()): Omit<LogLine, 'file'> | undefined {
  if (!line.trim()) return undefined;
  switch (kind) {
    case 'squid': {
      const f = line.trim().split(/\s+/);
      const t = Number(f[0]);
      if (!Number.isFinite(t) || f.length < 7) return undefined;
      return { at: new Date(t * 1000).toISOString(), host: f[2], kind, line: line.trim() };
    }
    case 'dnsmasq': {
      const m = /^(\w{3})\s+(\d{1,2}) (\d\d):(\d\d):(\d\d) dnsmasq\[\d+\]: (.*)$/.exec(line.trim());
      if (!m) return undefined;
      const month = MONTHS.indexOf(m[1] as string);
      if (month < 0) return undefined;
      // Syslog times are the machine's local time, without a year.
      const local = (year: number) => new Date(year, month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]));
      let at = local(now.getFullYear());
      if (at.getTime() > now.getTime() + 86_400_000) at = local(now.getFullYear() - 1);
      const from = / from (\S+)$/.exec(m[6] as string)?.[1];
      return { at: at.toISOString(), ...(from ? { host: from } : {}), kind, line: line.trim() };
    }
    case 'zeek-dns': {
      try {
        const e = JSON.parse(line) as Record<string, unknown>;
        const ts = typeof e.ts === 'number' ? new Date(e.ts * 1000) : new Date(String(e.ts));
        if (Number.isNaN(ts.getTime())) return undefined;
        const host = typeof e['id.orig_h'] === 'string' ? (e['id.orig_h'] as string) : undefined;
        return { at: ts.toISOString(), ...(host ? { host } : {}), kind, line: line.trim() };
      } catch {
        return undefined;
      }
    }
  }
}

const NAME = /^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/;

/**
 * The domain a line queried (dnsmasq `query[…] name from client`, Zeek `query`) or visited (the
 * host of a squid URL, or of a CONNECT's host:port), lower-cased without the trailing dot — or
 * nothing: not a query line, an IP literal, a single-label name, a reverse lookup (.arpa), or
 * not a domain name at all (SRV labels such as _ldap._tcp included).
 */
export function queriedDomain(kind: LogKind, line: string): string | undefined {
  let name: string | undefined;
  switch (kind) {
    case 'dnsmasq':
      name = / query\[[^\]]+\] (\S+) from \S+$/.exec(line.trim())?.[1];
      break;
    case 'squid':
      name = urlHost(line.trim().split(/\s+/)[6]);
      break;
    case 'zeek-dns':
      try {
        const q = (JSON.parse(line) as Record<string, unknown>).query;
        if (typeof q === 'string') name = q;
      } catch {}
      break;
  }
  if (!name) return undefined;
  const d = name.toLowerCase().replace(/\.$/, '');
  if (!NAME.test(d) || isIP(d) !== 0 || d.endsWith('.arpa')) return undefined;
  return d;
}

function urlHost(url: string | undefined): string | undefined {
  if (!url) return undefined;
  if (!url.includes('://')) return url.replace(/:\d+$/, ''); // CONNECT host:443
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}

/**
 * Imports what is new in a file since the last import (by byte offset, whole lines only).
 * Returns lines imported and skipped. `onLines` sees the lines before they are stored and the
 * file's offset moves: if it throws, nothing is marked imported and the next run reads them again.
 */
export function importFile(store: LogStore, kind: LogKind, file: string, now = new Date(), onLines?: (lines: LogLine[]) => void): { imported: number; skipped: number } {
  const start = store.importedBytes(file);
  const size = fs.statSync(file).size;
  if (size < start) return importFrom(store, kind, file, 0, size, now, onLines); // rotated: read it all again
  return importFrom(store, kind, file, start, size, now, onLines);
}

function importFrom(store: LogStore, kind: LogKind, file: string, start: number, size: number, now: Date, onLines?: (lines: LogLine[]) => void) {
  if (size === start) return { imported: 0, skipped: 0 };
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(size - start);
    fs.readSync(fd, buf, 0, buf.length, start);
    const text = buf.toString('utf8');
    const end = text.lastIndexOf('\n') + 1; // a half-written last line waits for the next import
    const lines: LogLine[] = [];
    let skipped = 0;
    for (const raw of text.slice(0, end).split('\n')) {
      if (!raw.trim()) continue;
      const parsed = parseLine(kind, raw, now);
      if (parsed) lines.push({ ...parsed, file });
      else skipped += 1;
    }
    onLines?.(lines);
    store.add(lines);
    store.markImported(file, start + Buffer.byteLength(text.slice(0, end)));
    return { imported: lines.length, skipped };
  } finally {
    fs.closeSync(fd);
  }
}
