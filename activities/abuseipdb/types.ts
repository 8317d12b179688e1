// AbuseIPDB API v2 `check`: only the fields Riposte reads. Types only.
import type { EnrichmentOutcome } from '../../core/verdict.ts';

export interface CheckIpInput { ip: string }
export type CheckIpResult = EnrichmentOutcome;

export interface AbuseIpDbCheck {
  data: {
    ipAddress: string;
    isPublic?: boolean;
    isWhitelisted?: boolean | null;
    abuseConfidenceScore: number;
    countryCode?: string | null;
    usageType?: string | null;
    isp?: string | null;
    domain?: string | null;
    hostnames?: string[];
    isTor?: boolean;
    totalReports?: number;
    numDistinctUsers?: number;
    lastReportedAt?: string | null;
  };
}
