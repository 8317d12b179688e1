// Small readers shared by the source adapters. Each records what is wrong with a field, with
// its path, instead of guessing.
import { isIP } from 'node:net';
import type { Observable, ObservableRole, ObservableType, SeverityId } from '../../core/alert.ts';
import { FormatError } from './types.ts';
import type { FieldError } from '../problem.ts';

type Obj = Record<string, unknown>;

export function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads `a.b.c` from nested objects, or from a flat key "a.b.c" (Elastic documents use both). */
export function pick(obj: unknown, path: string): unknown {
  if (!isObject(obj)) return undefined;
  if (path in obj) return obj[path];
  const parts = path.split('.');
  for (let i = parts.length - 1; i > 0; i--) {
    const head = parts.slice(0, i).join('.');
    if (head in obj) return pick(obj[head], parts.slice(i).join('.'));
  }
  return undefined;
}

/** Collects problems while reading one item, then throws them together. */
export class Reader {
  readonly errors: FieldError[] = [];
  readonly observables: Observable[] = [];

  constructor(private readonly root: unknown) {}

  str(path: string, opts: { required?: boolean; from?: unknown } = {}): string | undefined {
    const v = pick(opts.from ?? this.root, path);
    if (v === undefined || v === null || v === '') {
      if (opts.required) this.errors.push({ path, message: 'is required' });
      return undefined;
    }
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    if (typeof v !== 'string') {
      this.errors.push({ path, message: 'must be a string' });
      return undefined;
    }
    return v;
  }

  num(path: string, opts: { required?: boolean; from?: unknown } = {}): number | undefined {
    const v = pick(opts.from ?? this.root, path);
    if (v === undefined || v === null || v === '') {
      if (opts.required) this.errors.push({ path, message: 'is required' });
      return undefined;
    }
    const n = typeof v === 'string' ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isFinite(n)) {
      this.errors.push({ path, message: 'must be a number' });
      return undefined;
    }
    return n;
  }

  /** ISO 8601 text, epoch seconds or epoch milliseconds → ISO 8601. */
  time(path: string, opts: { required?: boolean; from?: unknown; unit?: 's' | 'ms' } = {}): string | undefined {
    const v = pick(opts.from ?? this.root, path);
    if (v === undefined || v === null || v === '') {
      if (opts.required) this.errors.push({ path, message: 'is required' });
      return undefined;
    }
    const t = parseTime(v, opts.unit);
    if (t === undefined) this.errors.push({ path, message: 'is not a time (ISO 8601 or epoch)' });
    return t;
  }

  /** Adds an observable from `value` (already read), checking its type. */
  add(type: ObservableType, value: string | undefined | null, role: ObservableRole | undefined, path: string): void {
    if (value === undefined || value === null) return;
    let v = String(value).trim();
    if (v === '' || v === '-') return;
    if (type === 'ip') {
      if (isIP(v) === 0) {
        this.errors.push({ path, message: `is not an IP address ("${v.slice(0, 60)}")` });
        return;
      }
    } else if (type === 'domain' || type === 'hostname') {
      v = v.toLowerCase().replace(/\.$/, '');
    } else if (type === 'hash') {
      v = v.toLowerCase();
      if (/^0+$/.test(v)) return; // sources send all-zero hashes for "unknown"
    }
    // Over-long values are cut for every source at once, after normalize (api/ingest/accept.ts).
    if (!this.observables.some((o) => o.type === type && o.value === v && o.role === role)) {
      this.observables.push({ type, value: v, ...(role ? { role } : {}) });
    }
  }

  /** Reads a field and adds it as an observable. */
  field(type: ObservableType, path: string, role?: ObservableRole, from?: unknown): void {
    const v = pick(from ?? this.root, path);
    if (Array.isArray(v)) v.forEach((x, i) => this.add(type, typeof x === 'string' ? x : undefined, role, `${path}[${i}]`));
    else if (typeof v === 'string' || typeof v === 'number') this.add(type, String(v), role, path);
  }

  check(): void {
    if (this.errors.length > 0) throw new FormatError(this.errors);
  }
}

export function parseTime(v: unknown, unit?: 's' | 'ms'): string | undefined {
  let ms: number;
  if (typeof v === 'number' || (typeof v === 'string' && /^\d+(\.\d+)?$/.test(v))) {
    const n = Number(v);
    ms = unit === 's' ? n * 1000 : unit === 'ms' ? n : n < 1e11 ? n * 1000 : n; // seconds until the year 5138
  } else if (typeof v === 'string') {
    ms = Date.parse(v);
  } else return undefined;
  if (!Number.isFinite(ms) || ms < 0 || ms > 8.64e15) return undefined;
  return new Date(ms).toISOString();
}

/** Text levels most sources use → OCSF severity_id. */
export function severityFromWord(word: string | undefined): SeverityId {
  switch ((word ?? '').toLowerCase()) {
    case 'informational':
    case 'information':
    case 'info':
    case 'debug':
    case 'none':
      return 1;
    case 'low':
    case 'minor':
    case 'notice':
      return 2;
    case 'medium':
    case 'moderate':
    case 'warning':
    case 'warn':
      return 3;
    case 'high':
    case 'major':
    case 'error':
    case 'page':
      return 4;
    case 'critical':
    case 'alert':
    case 'emergency':
    case 'fatal':
      return 5;
    default:
      return 0;
  }
}

/** A private, loopback or link-local address: one of ours, not a remote indicator. */
export function isInternalIp(ip: string): boolean {
  if (isIP(ip) === 4) {
    const [a, b] = ip.split('.').map(Number) as [number, number];
    return a === 10 || a === 127 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127);
  }
  const l = ip.toLowerCase();
  return l === '::1' || l.startsWith('fc') || l.startsWith('fd') || l.startsWith('fe80');
}

/** "host:9100" or "10.0.0.5:9100" → the host part. */
export function stripPort(v: string): string {
  if (v.startsWith('[')) return v.slice(1, v.indexOf(']'));
  const i = v.lastIndexOf(':');
  return i > 0 && v.indexOf(':') === i && /^\d+$/.test(v.slice(i + 1)) ? v.slice(0, i) : v;
}

/** Parses newline-delimited JSON, one item per non-empty line. */
export function ndjson(text: string): Array<{ value: unknown; at: string; error?: string }> {
  const out: Array<{ value: unknown; at: string; error?: string }> = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      out.push({ value: JSON.parse(line), at: `line ${i + 1}` });
    } catch (err) {
      out.push({ value: undefined, at: `line ${i + 1}`, error: `is not JSON (${(err as Error).message})` });
    }
  });
  return out;
}

export function requireObject(value: unknown, at: string): Obj {
  if (!isObject(value)) throw new FormatError([{ path: at, message: 'must be a JSON object' }]);
  return value;
}
