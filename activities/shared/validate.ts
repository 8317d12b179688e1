// Input checks shared by integrations: an observable that is not what it claims is a
// non-retryable InvalidObservableError, before anything is sent anywhere.
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from './errors.ts';

const DOMAIN = /^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*\.?$/i;

export function assertDomain(value: string): string {
  if (typeof value !== 'string' || !DOMAIN.test(value)) {
    throw ApplicationFailure.nonRetryable(`not a domain name: ${JSON.stringify(value).slice(0, 80)}`, ErrorType.invalidInput);
  }
  return value.toLowerCase().replace(/\.$/, '');
}
