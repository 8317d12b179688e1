// The live set of suppression rules: from the configuration file (re-read when it changes)
// and from the API (kept in the store). Changes take effect on the next alert — no restart.
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import type { Logger } from '../../telemetry/logger.ts';
import type { AlertStore, IngestResult } from '../../store/types.ts';
import { matchProblems, SuppressionMatcher, type SuppressionMatch, type SuppressionRule } from '../../domain/suppression.ts';

/**
 * The configuration file (RIPOSTE_SUPPRESSIONS), JSON. Entries are strings or objects with a
 * reason (and, for any of them, an optional expiresAt):
 * { "domains": ["*.windowsupdate.com"], "ips": ["10.9.0.0/16", {"value": "203.0.113.50", "reason": "pentest scanner"}],
 *   "hashes": [], "ruleHosts": [{"rule": "ET POLICY curl User-Agent", "host": "build-01", "reason": "CI"}],
 *   "maintenance": [{"from": "2026-12-01T00:00:00Z", "to": "2026-12-01T04:00:00Z", "hosts": ["db-1"], "reason": "patching"}] }
 */
export interface SuppressionFile {
  domains?: Array<string | { value: string; reason?: string; expiresAt?: string }>;
  ips?: Array<string | { value: string; reason?: string; expiresAt?: string }>;
  hashes?: Array<string | { value: string; reason?: string; expiresAt?: string }>;
  ruleHosts?: Array<{ rule: string; host: string; reason?: string; expiresAt?: string }>;
  maintenance?: Array<{ from: string; to: string; hosts?: string[]; rules?: string[]; reason?: string }>;
}

export function parseSuppressionFile(text: string, file: string): { rules: SuppressionRule[]; problems: string[] } {
  const problems: string[] = [];
  let data: SuppressionFile;
  try {
    data = JSON.parse(text) as SuppressionFile;
  } catch (err) {
    return { rules: [], problems: [`${file} is not JSON: ${(err as Error).message}`] };
  }
  const rules: SuppressionRule[] = [];
  const add = (match: SuppressionMatch, where: string, reason?: string, expiresAt?: string) => {
    const issues = matchProblems(match);
    if (expiresAt !== undefined && Number.isNaN(Date.parse(expiresAt))) issues.push('expiresAt is not an ISO 8601 time');
    if (issues.length) return void problems.push(...issues.map((p) => `${where}: ${p}`));
    rules.push({
      id: `cfg-${createHash('sha256').update(JSON.stringify(match)).digest('hex').slice(0, 12)}`,
      origin: 'config',
      status: 'active',
      match,
      reason: reason ?? 'configuration',
      author: file,
      createdAt: new Date(0).toISOString(),
      ...(expiresAt ? { expiresAt } : {}),
      hits: 0,
    });
  };
  const lists = [['domains', 'domain'], ['ips', 'ip'], ['hashes', 'hash']] as const;
  for (const [key, kind] of lists) {
    (data[key] ?? []).forEach((e, i) =>
      typeof e === 'string' ? add({ kind, value: e }, `${key}[${i}]`) : add({ kind, value: e?.value }, `${key}[${i}]`, e?.reason, e?.expiresAt)
    );
  }
  (data.ruleHosts ?? []).forEach((e, i) => add({ kind: 'rule_host', rule: e?.rule, host: e?.host }, `ruleHosts[${i}]`, e?.reason, e?.expiresAt));
  (data.maintenance ?? []).forEach((e, i) =>
    add({ kind: 'maintenance', from: e?.from, to: e?.to, ...(e?.hosts ? { hosts: e.hosts } : {}), ...(e?.rules ? { rules: e.rules } : {}) }, `maintenance[${i}]`, e?.reason)
  );
  return { rules, problems };
}

export class SuppressionRules {
  private fromFile: SuppressionRule[] = [];
  private stored: SuppressionRule[] = [];
  private readonly fileHits = new Map<string, { hits: number; lastHitAt: string }>();
  private syncTimer?: NodeJS.Timeout;

  constructor(
    private readonly store: AlertStore,
    private readonly file: string | undefined,
    private readonly logger: Pick<Logger, 'info' | 'error'>
  ) {}

  /** Loads both sources; a broken configuration file at start-up is an error. */
  async start(): Promise<void> {
    this.stored = await this.store.listSuppressions();
    if (this.file) {
      const problems = await this.loadFile();
      if (problems.length) throw new Error(`suppression rules in ${this.file} are invalid:\n  - ${problems.join('\n  - ')}`);
      fs.watchFile(this.file, { interval: 1000 }, async () => {
        const issues = await this.loadFile();
        if (issues.length) this.logger.error({ file: this.file, problems: issues }, 'suppression file changed but is invalid; keeping the previous rules');
        else this.logger.info({ file: this.file, rules: this.fromFile.length }, 'suppression rules reloaded');
      });
    }
    await this.rebuild();
  }

  stop(): void {
    if (this.file) fs.unwatchFile(this.file);
    clearInterval(this.syncTimer);
  }

  /**
   * Several API replicas on one database: each re-reads the stored rules this often, so a rule
   * an analyst created or revoked through another replica applies here within that time.
   */
  syncEvery(ms: number): void {
    clearInterval(this.syncTimer);
    this.syncTimer = setInterval(() => void this.refresh().catch((err: unknown) => this.logger.error({ err: String(err) }, 'could not re-read the suppression rules')), ms);
    this.syncTimer.unref();
  }

  /** How many rules are active now. */
  activeCount(): number {
    return new SuppressionMatcher([...this.fromFile, ...this.stored]).size;
  }

  /** Counts hits on file rules (rules from the API are counted by the store). */
  countHits(results: IngestResult[], now: Date): void {
    for (const r of results) {
      if (!r.suppressedBy?.startsWith('cfg-') || r.outcome === 'duplicate') continue;
      const h = this.fileHits.get(r.suppressedBy) ?? { hits: 0, lastHitAt: '' };
      this.fileHits.set(r.suppressedBy, { hits: h.hits + 1, lastHitAt: now.toISOString() });
    }
  }

  async list(): Promise<SuppressionRule[]> {
    this.stored = await this.store.listSuppressions();
    const file = this.fromFile.map((r) => ({ ...r, ...this.fileHits.get(r.id) }));
    return [...file, ...this.stored].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async get(id: string): Promise<SuppressionRule | undefined> {
    return (await this.list()).find((r) => r.id === id);
  }

  async create(input: { match: SuppressionMatch; reason: string; author: string; expiresAt?: string; status?: 'active' | 'suggested'; fromCase?: string; global?: boolean }): Promise<SuppressionRule> {
    const rule = SuppressionRules.newRule(input);
    await this.store.saveSuppression(rule);
    this.stored.push(rule);
    await this.rebuild();
    return rule;
  }

  /**
   * How many alerts of the last `days` days the rule would have suppressed (a maintenance window
   * judged at each alert's arrival), among at most `cap` of them; a few of their ids as examples.
   */
  async impact(match: SuppressionMatch, days = 7, cap = 50_000): Promise<{ days: number; alerts: number; wouldHaveSuppressed: number; examples: string[]; capped: boolean }> {
    const recent = await this.store.alertsSince(new Date(Date.now() - days * 86_400_000).toISOString(), cap);
    const matcher = new SuppressionMatcher([SuppressionRules.newRule({ match, reason: 'impact', author: 'impact' })]);
    const hit = recent.filter((a) => matcher.match(a, new Date(a.receivedAt)));
    return { days, alerts: recent.length, wouldHaveSuppressed: hit.length, examples: hit.slice(0, 10).map((a) => a.id), capped: recent.length >= cap };
  }

  static newRule(input: { match: SuppressionMatch; reason: string; author: string; expiresAt?: string; status?: 'active' | 'suggested'; fromCase?: string; global?: boolean }): SuppressionRule {
    return {
      id: `sup-${randomUUID().slice(0, 8)}`,
      origin: input.status === 'suggested' ? 'suggested' : 'api',
      status: input.status ?? 'active',
      match: input.match,
      reason: input.reason,
      author: input.author,
      createdAt: new Date().toISOString(),
      ...(input.expiresAt ? { expiresAt: input.expiresAt } : {}),
      ...(input.fromCase ? { fromCase: input.fromCase } : {}),
      ...(input.global ? { global: true } : {}),
      hits: 0,
    };
  }

  /** Changes a stored rule's status; returns it, or undefined when there is no such stored rule. */
  async setStatus(id: string, status: 'active' | 'revoked', by: string): Promise<SuppressionRule | undefined> {
    const rule = await this.store.getSuppression(id);
    if (!rule) return undefined;
    const updated = { ...rule, status, ...(status === 'active' ? { activatedBy: by } : { revokedBy: by }) };
    await this.store.saveSuppression(updated);
    this.stored = await this.store.listSuppressions();
    await this.rebuild();
    return updated;
  }

  /** Picks up rules other processes wrote (suggestions from verdicts). */
  async refresh(): Promise<void> {
    this.stored = await this.store.listSuppressions();
    await this.rebuild();
  }

  private async loadFile(): Promise<string[]> {
    const file = this.file as string;
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      return [`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`];
    }
    const { rules, problems } = parseSuppressionFile(text, file);
    if (problems.length) return problems;
    this.fromFile = rules;
    await this.rebuild();
    return [];
  }

  /** Hands the whole current rule set to the store, which applies it inside each commit. */
  private async rebuild(): Promise<void> {
    await this.store.setSuppressionRules([...this.fromFile, ...this.stored]);
  }
}
