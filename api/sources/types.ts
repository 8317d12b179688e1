// What an alert source adapter is: how a source's payload splits into items, and how one item
// becomes a native alert. One file per source in this folder; registered in index.ts.
import type { TSchema } from '@sinclair/typebox';
import type { NativeAlert } from '../../core/alert.ts';
import type { FieldError } from '../problem.ts';

/** One alert-to-be as the source sent it. */
export interface SourceItem {
  value: unknown;
  /** Where it sits in the request, for error messages ("alerts[2]", "line 3"). */
  at: string;
  /** Set when the item could not even be read (a line that is not JSON). */
  error?: string;
}

/** An adapter's reading of one item; Riposte derives the id from `sourceUid`. */
export interface Normalized {
  alert: Omit<NativeAlert, 'id' | 'source'>;
  occurrences?: number;
  status?: 'firing' | 'resolved';
}

export interface SourceAdapter {
  /** The path segment: POST /v1/alerts/{name}. */
  name: string;
  title: string;
  /** Vendor documentation of the format. */
  docs: string;
  /** True when the sender can compute an HMAC (X-Riposte-Signature); false means bearer token. */
  canSign: boolean;
  /** True when the source may send newline-delimited JSON (one event per line). */
  lines?: boolean;
  /** The request body as the source sends it, for the OpenAPI document. */
  schema: TSchema;
  /** Splits a parsed body (or raw text, for line formats) into items; throws FormatError when the envelope is wrong. */
  items(body: unknown, text: string): SourceItem[];
  /** Reads one item; throws FormatError with field paths when it does not fit. */
  normalize(value: unknown): Normalized;
  example: unknown;
}

export class FormatError extends Error {
  constructor(readonly errors: FieldError[]) {
    super(errors.map((e) => `${e.path} ${e.message}`).join('; '));
    this.name = 'FormatError';
  }
}
