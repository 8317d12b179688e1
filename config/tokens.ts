// API tokens: from RIPOSTE_TOKENS, or — for the embedded default — generated once per role
// and kept under the data dir (mode 0600), so a first start works without any setup.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Role, Secret, type RiposteConfig, type TokenEntry } from './index.ts';

export interface ResolvedTokens {
  entries: TokenEntry[];
  /** Where generated tokens live; undefined when they came from RIPOSTE_TOKENS. */
  file?: string;
  generated: boolean;
}

export function tokensFile(dataDir: string): string {
  return path.join(dataDir, 'tokens.json');
}

export function resolveTokens(config: Pick<RiposteConfig, 'tokens' | 'dataDir'>): ResolvedTokens {
  if (config.tokens) return { entries: config.tokens, generated: false };
  const file = tokensFile(config.dataDir);
  let stored: Record<string, string> = {};
  let generated = false;
  if (fs.existsSync(file)) {
    stored = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>;
  }
  for (const role of Object.values(Role)) {
    if (typeof stored[role] !== 'string') {
      stored[role] = `rip_${role}_${randomBytes(24).toString('base64url')}`;
      generated = true;
    }
  }
  if (generated) {
    fs.mkdirSync(config.dataDir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(stored, null, 2) + '\n', { mode: 0o600 });
    fs.renameSync(tmp, file);
  }
  const entries = Object.values(Role).map((role) => ({ token: new Secret(stored[role] as string), role, name: role }));
  return { entries, file, generated };
}
