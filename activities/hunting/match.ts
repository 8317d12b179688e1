// Which indicator a line or event mentions, exactly: a search backend finds candidates, this
// decides. 203.0.113.7 does not match 203.0.113.70; evil.test matches x.evil.test but not
// notevil.test.
import { ApplicationFailure } from '@temporalio/common';
import type { Observable } from '../../core/alert.ts';
import { ErrorType } from '../shared/errors.ts';
import type { HuntInput } from './types.ts';

const HUNTABLE = new Set(['ip', 'domain', 'url', 'hash', 'user', 'hostname']);

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function indicatorPattern(o: Observable): RegExp {
  const v = escape(o.value);
  switch (o.type) {
    case 'ip':
      // IPv6 ends at anything but a hex digit or colon; IPv4 may be followed by :port, not by another octet.
      return o.value.includes(':') ? new RegExp(`(?<![\\w:])${v}(?![\\w:])`, 'i') : new RegExp(`(?<![\\w.])${v}(?!\\w|\\.\\d)`, 'i');
    case 'domain':
    case 'hostname':
      return new RegExp(`(?<![\\w-])(?:[\\w-]+\\.)*${v}(?![\\w-]|\\.[\\w-])`, 'i');
    default:
      return new RegExp(`(?<![\\w])${v}(?![\\w])`, 'i');
  }
}

/** The indicators a text mentions. */
export function mentions(text: string, indicators: Observable[]): Observable[] {
  return indicators.filter((o) => indicatorPattern(o).test(text));
}

/** Checks a hunt's input; returns the window as dates. */
export function checkHunt(input: HuntInput): { from: Date; to: Date; limit: number } {
  const bad = (m: string) => ApplicationFailure.nonRetryable(`hunt: ${m}`, ErrorType.invalidInput);
  if (!Array.isArray(input.indicators) || input.indicators.length === 0) throw bad('at least one indicator is needed');
  if (input.indicators.length > 100) throw bad('at most 100 indicators per hunt');
  for (const o of input.indicators) {
    if (!o || !HUNTABLE.has(o.type) || typeof o.value !== 'string' || o.value.length < 3 || o.value.length > 2048) throw bad(`cannot hunt for ${JSON.stringify(o).slice(0, 80)}`);
  }
  const from = new Date(input.from);
  const to = new Date(input.to);
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()) || to < from) throw bad('from and to must be ISO 8601 times, from before to');
  return { from, to, limit: Math.min(Math.max(input.limit ?? 100, 1), 1000) };
}
