export interface TemporalServerBuild {
  server: string;
  sqlTool: string;
  /** …/schema/postgresql/v12 (temporal/ and visibility/ with their versioned/ migrations). */
  schema: string;
  dir: string;
  version: string;
}
export declare const SERVER_VERSION: string;
export declare function serverCacheDir(version?: string): string;
export declare function findTemporalServer(): TemporalServerBuild | null;
export declare function ensureTemporalServer(log?: (m: string) => void): TemporalServerBuild;
