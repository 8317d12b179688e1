// Suppression suggestions, ranked: each suggested rule (a rule on a host, offered when an analyst
// called a case a false positive) with what it would have removed over the last week and the
// analysts' verdicts on that rule on that host — the more noise it removes and the surer the
// verdicts, the higher it ranks. Every figure is the evidence shown with it.
import { SuppressionMatcher, type SuppressionRule } from '../domain/suppression.ts';
import type { AlertStore } from '../store/types.ts';
import type { Triage } from './triage.ts';

export interface RankedSuggestion {
  rule: SuppressionRule;
  /** Alerts of the last `days` it would have suppressed. */
  wouldHaveSuppressed: number;
  examples: string[];
  verdicts: { falsePositives: number; total: number };
  /** False positives among the verdicts, with one false and one real prior: (fp + 1) / (n + 2). */
  falsePositiveRate: number;
  /** wouldHaveSuppressed × falsePositiveRate: the noise it would remove. */
  score: number;
  evidence: string;
}

export interface SuggestionRanking {
  days: number;
  /** Alerts looked at (at most `cap`). */
  alerts: number;
  capped: boolean;
  suggestions: RankedSuggestion[];
}

const DAY_MS = 86_400_000;

export async function rankSuggestions(rules: SuppressionRule[], store: AlertStore, triage: Pick<Triage, 'verdictsOn'> | undefined, opts: { days?: number; cap?: number; limit?: number } = {}): Promise<SuggestionRanking> {
  const days = opts.days ?? 7;
  const cap = opts.cap ?? 50_000;
  // The newest suggestions first, if there are more than can be weighed at once.
  const suggested = rules
    .filter((r) => r.status === 'suggested')
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
    .slice(0, opts.limit ?? 100);
  const recent = suggested.length ? await store.alertsSince(new Date(Date.now() - days * DAY_MS).toISOString(), cap) : [];
  const matchers = suggested.map((rule) => new SuppressionMatcher([{ ...rule, status: 'active' }]));
  const hits = suggested.map(() => [] as string[]);
  for (const a of recent) {
    const at = new Date(a.receivedAt);
    matchers.forEach((m, i) => {
      if (m.match(a, at)) hits[i]?.push(a.id);
    });
  }
  const ranked = suggested.map((rule, i): RankedSuggestion => {
    const removed = hits[i] ?? [];
    const verdicts = rule.match.kind === 'rule_host' && triage ? hostVerdicts(triage, rule.match.rule, rule.match.host) : { falsePositives: 0, total: 0 };
    const falsePositiveRate = (verdicts.falsePositives + 1) / (verdicts.total + 2);
    const onWhat = rule.match.kind === 'rule_host' ? `rule "${rule.match.rule}" on ${rule.match.host}` : 'its match';
    const said = verdicts.total === 0 ? 'no verdict on it yet' : `${verdicts.falsePositives} of ${verdicts.total} verdict${verdicts.total === 1 ? '' : 's'} on it called it a false positive`;
    const evidence = `${removed.length} alert${removed.length === 1 ? '' : 's'} of ${onWhat} in the last ${days} days; ${said}`;
    return { rule, wouldHaveSuppressed: removed.length, examples: removed.slice(0, 5), verdicts, falsePositiveRate: Math.round(falsePositiveRate * 1000) / 1000, score: Math.round(removed.length * falsePositiveRate * 100) / 100, evidence };
  });
  ranked.sort((a, b) => b.score - a.score || b.falsePositiveRate - a.falsePositiveRate || b.rule.createdAt.localeCompare(a.rule.createdAt));
  return { days, alerts: recent.length, capped: recent.length >= cap, suggestions: ranked };
}

/** A suggestion names its host by name or address: the verdicts on either. */
function hostVerdicts(triage: Pick<Triage, 'verdictsOn'>, rule: string, host: string): { falsePositives: number; total: number } {
  const key = host.toLowerCase();
  const byName = triage.verdictsOn(rule, `host:${key}`);
  return byName.total ? byName : triage.verdictsOn(rule, `ip:${key}`);
}
