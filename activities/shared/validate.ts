// Input checks shared by integrations: an observable that is not what it claims is a
// non-retryable InvalidObservableError, before anything is sent anywhere.
import { isIP } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from './errors.ts';

const DOMAIN = /^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*\.?$/i;

export function assertDomain(value: string): string {
  if (typeof value !== 'string' || !DOMAIN.test(value)) {
    throw ApplicationFailure.nonRetryable(`not a domain name: ${JSON.stringify(value).slice(0, 80)}`, ErrorType.invalidInput);
  }
  return value.toLowerCase().replace(/\.$/, '');
}

const shown = (value: unknown) => JSON.stringify(value)?.slice(0, 80) ?? String(value);
const refuse = (what: string, value: unknown) => ApplicationFailure.nonRetryable(`not ${what}: ${shown(value)}`, ErrorType.invalidInput);

export function assertIp(value: unknown): string {
  if (typeof value !== 'string' || !isIP(value)) throw refuse('an IP address', value);
  return value;
}

export function assertUrl(value: unknown): string {
  if (typeof value !== 'string' || !URL.canParse(value)) throw refuse('a URL', value);
  return value;
}

const HASH = /^([a-f0-9]{32}|[a-f0-9]{40}|[a-f0-9]{64})$/i;

/** An MD5, SHA-1 or SHA-256, lower-cased. */
export function assertHash(value: unknown): string {
  if (typeof value !== 'string' || !HASH.test(value)) throw refuse('an MD5, SHA-1 or SHA-256', value);
  return value.toLowerCase();
}

/** An indicator's value as it is kept (domains and hashes lower-cased), or nothing when it is not what its type says. */
export function indicatorValue(type: 'ip' | 'domain' | 'url' | 'hash', raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const value = raw.trim();
  try {
    switch (type) {
      case 'ip':
        return isIP(value) ? value : undefined;
      case 'domain':
        return assertDomain(value);
      case 'url':
        return assertUrl(value);
      case 'hash':
        return assertHash(value);
    }
  } catch {
    return undefined;
  }
}
