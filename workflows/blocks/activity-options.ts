// Runs in the Temporal sandbox. Named activity option presets; every block picks one.
import type { ActivityOptions } from '@temporalio/workflow';

const NON_RETRYABLE = ['IntegrationAuthError', 'IntegrationRequestError', 'InvalidObservableError'];

/** Lookups: short, retried a few times; a source that stays down is recorded and skipped. */
export const ENRICHMENT: ActivityOptions = {
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 5, nonRetryableErrorTypes: NON_RETRYABLE },
};

/** Tickets: idempotent, so retried patiently (about five minutes) before the case moves on without them. */
export const TICKETING: ActivityOptions = {
  startToCloseTimeout: '15s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 12, nonRetryableErrorTypes: NON_RETRYABLE },
};

/** Containment: idempotent; a failure after these attempts fails the playbook loudly. */
export const CONTAINMENT: ActivityOptions = {
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '20s', maximumAttempts: 6, nonRetryableErrorTypes: NON_RETRYABLE },
};
