// The API's triage learner (domain/triage.ts), kept warm from the stores: on start it reads the
// alerts of the last 28 days (the newest RIPOSTE_TRIAGE_WARM_ALERTS at most) and the verdicts on
// their cases; then each alert is judged as it arrives (before it counts) and each verdict
// recorded here is learned at once. Every RIPOSTE_TRIAGE_REFRESH it rebuilds from the stores in
// the background, so API replicas sharing one database learn each other's verdicts too.
import type { NativeAlert } from '../core/alert.ts';
import type { CaseVerdict } from '../core/case.ts';
import { entityKeys } from '../domain/entities.ts';
import { TRIAGE_HORIZON_MS, TriageLearner, type TriageAlert, type TriageOptions } from '../domain/triage.ts';
import type { AlertStore, IngestItem, IngestResult, StoredAlert } from '../store/types.ts';
import type { CaseRecordStore } from '../store/case-record.ts';
import { autoCloseVerdict } from '../store/rows.ts';
import { AUTO_CLOSE_ACTOR } from '../core/triage.ts';
import { CaseFact } from '../core/case-events.ts';
import type { Logger } from '../telemetry/logger.ts';

export interface TriageSettings extends TriageOptions {
  /** At most this many of the newest alerts warm the learner (default 200,000). */
  warmAlerts?: number;
  /** How often the learner is rebuilt from the stores, ms (default 15 min; 0: never). */
  refreshMs?: number;
}

/** The rule an alert is judged by: its name, its uid, or its title when the source names no rule. */
export const ruleOf = (a: Pick<NativeAlert, 'rule' | 'title'>): string => a.rule?.name ?? a.rule?.uid ?? a.title;

const triageAlert = (a: NativeAlert, at: number): TriageAlert => ({ source: a.source, rule: ruleOf(a), entities: entityKeys(a.observables), severity_id: a.severity_id, at });

/** Whether a verdict says the case needed no response (what the learner calls a false positive). */
export const noResponseNeeded = (v: CaseVerdict): boolean => v.verdict !== 'true_positive';

export class Triage {
  private learner: TriageLearner;
  private timer: NodeJS.Timeout | undefined;
  private rebuilding: Promise<void> | undefined;

  private constructor(
    private readonly store: AlertStore,
    private readonly logger: Logger,
    private readonly settings: TriageSettings,
    private readonly record?: Pick<CaseRecordStore, 'append'>
  ) {
    this.learner = new TriageLearner(settings);
  }

  static async start(store: AlertStore, logger: Logger, settings: TriageSettings = {}, record?: Pick<CaseRecordStore, 'append'>): Promise<Triage> {
    const triage = new Triage(store, logger, settings, record);
    triage.learner = await triage.build();
    const every = settings.refreshMs ?? 15 * 60_000;
    if (every > 0) {
      triage.timer = setInterval(() => void triage.rebuild(), every);
      triage.timer.unref();
    }
    return triage;
  }

  /** Judges each item before it is committed (its `triage`); returns what the learner read of each, for `ingested`. */
  judge(items: IngestItem[], now: Date): TriageAlert[] {
    return items.map((item) => {
      const read = triageAlert(item.alert, now.getTime());
      item.triage = this.learner.assess(read);
      return read;
    });
  }

  /**
   * After the commit: counts the alerts ingest took as new (suppressed ones too: they are part of
   * what is normal), and records the cases auto-close opened closed.
   */
  async ingested(items: IngestItem[], judged: TriageAlert[], results: IngestResult[], now: Date): Promise<void> {
    results.forEach((r, i) => {
      const read = judged[i];
      if (read && (r.outcome === 'new' || r.outcome === 'suppressed') && r.alertId === items[i]?.alert.id) this.learner.observe(read);
    });
    await this.recordAutoClosed(items, results, now);
  }

  /**
   * Writes to the case record that auto-close closed the cases it opened closed: its verdict and
   * the case closed, as `auto-close`, with the likelihood and the verdicts behind it. The alert
   * store already holds the verdict; should this fail, the case still reads judged, and the
   * failure is logged.
   */
  private async recordAutoClosed(items: IngestItem[], results: IngestResult[], now: Date): Promise<void> {
    if (!this.record) return;
    for (const [i, r] of results.entries()) {
      const triage = items[i]?.triage;
      // Only the alert that opened its case closes it; one joining an auto-closed case changes nothing.
      if (!r.autoClosed || !r.caseId || !triage || r.caseId !== `cs_${r.alertId.slice(3)}`) continue;
      const verdict = JSON.parse(autoCloseVerdict(triage, now.toISOString())) as CaseVerdict;
      try {
        await this.record.append(r.caseId, [
          { key: `auto-close:verdict:${r.caseId}`, at: verdict.at, kind: CaseFact.verdict, actor: AUTO_CLOSE_ACTOR, data: { ...verdict } },
          { key: `auto-close:closed:${r.caseId}`, at: verdict.at, kind: CaseFact.closed, actor: AUTO_CLOSE_ACTOR, data: { resolution: `auto-closed: ${verdict.comment}` } },
        ]);
      } catch (err) {
        this.logger.warn({ err, caseId: r.caseId }, 'triage: the case record did not take an auto-close');
      }
    }
  }

  /** Learns an analyst's verdict on a case from its alerts. */
  learn(alerts: StoredAlert[], verdict: CaseVerdict): void {
    learnVerdict(this.learner, alerts, verdict);
  }

  /** The verdicts on a rule (by name) on an entity (`host:web-1`, `ip:10.0.0.5`). */
  verdictsOn(rule: string, entity: string): { falsePositives: number; total: number } {
    return this.learner.verdictsOn(rule, entity);
  }

  /** Rebuilds from the stores (in the background; one at a time). */
  rebuild(): Promise<void> {
    this.rebuilding ??= this.build()
      .then(
        (fresh) => void (this.learner = fresh),
        (err: unknown) => this.logger.warn({ err }, 'triage: rebuilding from the stores failed; the learner goes on as it was')
      )
      .finally(() => (this.rebuilding = undefined));
    return this.rebuilding;
  }

  close(): void {
    clearInterval(this.timer);
  }

  private async build(): Promise<TriageLearner> {
    const started = Date.now();
    const learner = new TriageLearner(this.settings);
    const since = new Date(Date.now() - TRIAGE_HORIZON_MS).toISOString();
    const alerts = await this.store.alertsSince(since, this.settings.warmAlerts ?? 200_000);
    const byCase = new Map<string, StoredAlert[]>();
    for (let i = alerts.length - 1; i >= 0; i--) {
      const a = alerts[i] as StoredAlert;
      learner.observe(triageAlert(a, Date.parse(a.receivedAt)));
      if (a.caseId) byCase.set(a.caseId, [...(byCase.get(a.caseId) ?? []), a]);
    }
    const verdicts = await this.store.verdictsSince(since, 100_000);
    for (const v of verdicts) learnVerdict(learner, byCase.get(v.caseId) ?? [], v.verdict);
    this.logger.info({ alerts: alerts.length, verdicts: verdicts.length, ms: Date.now() - started, ...learner.size() }, 'triage: learned from the stores');
    return learner;
  }
}

/** A case counts once per rule in it, on every entity that rule's alerts named. */
function learnVerdict(learner: TriageLearner, alerts: StoredAlert[], verdict: CaseVerdict): void {
  const byRule = new Map<string, { source: string; rule: string; entities: Set<string> }>();
  for (const a of alerts) {
    const key = `${a.source}/${ruleOf(a)}`;
    const entry = byRule.get(key) ?? { source: a.source, rule: ruleOf(a), entities: new Set<string>() };
    for (const e of entityKeys(a.observables)) entry.entities.add(e);
    byRule.set(key, entry);
  }
  for (const r of byRule.values()) learner.learn({ source: r.source, rule: r.rule, entities: [...r.entities], falsePositive: noResponseNeeded(verdict), at: Date.parse(verdict.at) });
}
