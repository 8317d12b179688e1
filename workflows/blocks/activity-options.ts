// Runs in the Temporal sandbox. Named activity option presets; every block picks one.
// Long or queued work heartbeats, so a dead worker is noticed in a heartbeat timeout rather than
// after the whole start-to-close budget, and the schedule-to-close budget bounds the retries.
import type { ActivityOptions, LocalActivityOptions } from '@temporalio/workflow';

export const NON_RETRYABLE = ['IntegrationAuthError', 'IntegrationRequestError', 'InvalidObservableError', 'InvalidSettingsError'];

/**
 * Lookups (enrichment, hunting): one activity asks every source, heartbeating while it waits
 * for a rate limit (VirusTotal's free 4/min makes a fifth lookup wait a minute, not fail).
 */
export const LOOKUP: ActivityOptions = {
  startToCloseTimeout: '10m',
  heartbeatTimeout: '45s',
  scheduleToCloseTimeout: '30m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 5, nonRetryableErrorTypes: NON_RETRYABLE },
};

/** Version-1 enrichment (one activity per source): kept for the version-1 playbook's shape. */
export const ENRICHMENT: ActivityOptions = {
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 5, nonRetryableErrorTypes: NON_RETRYABLE },
};

/** Tickets: idempotent, so retried patiently (about five minutes) before the case moves on without them. */
export const TICKETING: ActivityOptions = {
  startToCloseTimeout: '30s',
  scheduleToCloseTimeout: '10m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 12, nonRetryableErrorTypes: NON_RETRYABLE },
};

/** Notifications: every channel in one activity; a channel that stays down is recorded, not fatal. */
export const NOTIFY: ActivityOptions = {
  startToCloseTimeout: '2m',
  heartbeatTimeout: '45s',
  scheduleToCloseTimeout: '10m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 8, nonRetryableErrorTypes: NON_RETRYABLE },
};

/** Containment: idempotent; a failure after these attempts fails the step loudly. */
export const CONTAINMENT: ActivityOptions = {
  startToCloseTimeout: '5m',
  heartbeatTimeout: '60s',
  scheduleToCloseTimeout: '30m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 8, nonRetryableErrorTypes: NON_RETRYABLE },
};

/**
 * Evidence collection (memory dumps, disk images, snapshots): hours of copying, heartbeated;
 * a retry resumes (vendor action ids in the heartbeat) or starts the image again.
 */
export const COLLECTION: ActivityOptions = {
  startToCloseTimeout: '12h',
  heartbeatTimeout: '5m',
  scheduleToCloseTimeout: '24h',
  retry: { initialInterval: '10s', backoffCoefficient: 2, maximumInterval: '5m', maximumAttempts: 5, nonRetryableErrorTypes: NON_RETRYABLE },
};

/** Decisions the worker answers from its configuration (settings, providers, never-contain). */
export const LOCAL: LocalActivityOptions = {
  startToCloseTimeout: '15s',
  retry: { initialInterval: '1s', maximumAttempts: 5, nonRetryableErrorTypes: NON_RETRYABLE },
};

/**
 * Writes to the case record: retried (on timers, past the first minute) for up to a day, since a
 * fact the store never received is a hole in the record; a run goes on meanwhile.
 */
export const RECORD: LocalActivityOptions = {
  startToCloseTimeout: '15s',
  scheduleToCloseTimeout: '24h',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
};
