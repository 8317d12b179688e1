export declare const CLI_VERSIONS: string[];
export declare function cacheDir(): string;
export declare function cliVersion(bin: string): string | null;
export declare function findTemporalCli(): { bin: string; version: string } | null;
export declare function ensureTemporalCli(log?: (m: string) => void): { bin: string; version: string };
