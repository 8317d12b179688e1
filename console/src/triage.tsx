// How the console shows a case's triage: its flags beside the priority, and in full on the case
// page — the false-positive likelihood with the verdicts behind it, and every reason.
import type { CaseView } from './api.ts';
import './triage.css';

type Triage = NonNullable<CaseView['triage']>;

/** Unusual, first time, critical asset: short words beside the priority. */
export function TriageFlags({ triage }: { triage: Triage }) {
  return (
    <span class="flags">
      {triage.unusual && <span class="flag unusual">unusual</span>}
      {triage.novel && <span class="flag novel">first time</span>}
      {triage.critical.length > 0 && <span class="flag critical">critical asset</span>}
    </span>
  );
}

export function TriagePanel({ priority, triage }: { priority: number; triage: Triage | undefined }) {
  return (
    <section aria-labelledby="triage-title" class="panel triage">
      <h2 id="triage-title">Triage</h2>
      {!triage ? (
        <p>Not triaged: its alerts came before the learner, or none was new.</p>
      ) : (
        <>
          <p>
            Priority <strong class="priority">{priority}</strong> of 100 <TriageFlags triage={triage} />
          </p>
          <p>
            False-positive likelihood <strong>{Math.round(triage.fpLikelihood * 100)}%</strong>: {triage.fpBasis}.
          </p>
          <h3>Why it ranks here</h3>
          <ol class="reasons">
            {triage.reasons.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}
