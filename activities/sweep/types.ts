// The IOC sweep's activities: inputs and results. Types only — safe for workflows to import.
import type { SweepRun } from '../../store/indicators.ts';

export type { SweepRun };

export interface PullFeedsInput {
  /** Indicators per feed per pull, at most. */
  limit: number;
  /** Pull, but store nothing and move no watermark. */
  dryRun?: boolean;
}

export interface PullFeedsResult {
  feeds: Array<{ source: string; status: 'ok' | 'skipped' | 'failed'; pulled?: number; stored?: number; truncated?: boolean; reason?: string }>;
}

export interface LoadIndicatorsInput {
  limit: number;
  /** How far back the first sweep looks (later ones start where the last ended). */
  firstWindowMs: number;
}

export interface LoadIndicatorsResult {
  indicators: Array<{ type: 'ip' | 'domain' | 'url' | 'hash'; value: string; source: string }>;
  truncated: boolean;
  from: string;
  to: string;
}

/** One sighting as the `hunt` alert source takes it (POST /v1/alerts/hunt). */
export interface HuntSightingReport {
  indicator: { type: string; value: string; source: string };
  at: string;
  host?: string;
  backend: string;
  where: string;
  excerpt: string;
}

export interface ReportSightingsInput {
  sweepId: string;
  sightings: HuntSightingReport[];
}

export interface ReportSightingsResult {
  alerts: Array<{ alertId: string; caseId: string | null; outcome: string }>;
}

export interface RecordSweepInput {
  run: SweepRun;
  sightings: Array<HuntSightingReport & { alertId?: string }>;
}
