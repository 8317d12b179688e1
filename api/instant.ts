// A time from a query, as the stores write times: UTC ISO 8601 text, which compares as it sorts.
import { HttpError } from './problem.ts';

/** `t` as UTC ISO 8601, or 422 for a time JavaScript cannot place (a leap second, a year past 275,760). */
export function instant(t: string | number, name: string): string {
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) throw new HttpError(422, `${name} is not a time this API can place`);
  return d.toISOString();
}
