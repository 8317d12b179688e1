import type { MockActivityEnvironment } from '@temporalio/testing';
import { readFileSync } from 'node:fs';

export function fixture<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')) as T;
}

/** Runs `fn`, expecting it to throw; returns the error for assertions. */
export async function rejection(fn: () => Promise<unknown>): Promise<Record<string, unknown> & Error> {
  try {
    await fn();
  } catch (err) {
    return err as Record<string, unknown> & Error;
  }
  throw new Error('expected a failure, but the call succeeded');
}

/** A Temporal logger that keeps test output clean (failures are asserted, not printed). */
export const silentLogger = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

/** Runs an activity function in a mock activity context, keeping its return type. */
export async function runActivity<I, O>(env: MockActivityEnvironment, fn: (input: I) => Promise<O>, input: I): Promise<O> {
  return (await env.run(fn, input)) as O;
}
