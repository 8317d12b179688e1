// Parts of the case page: service levels, tags, handing the case over, closing and reopening it,
// what the hunt sighted and the evidence collected with its custody.
import { useState } from 'preact/hooks';
import { api, message, type CaseView } from './api.ts';
import { relative } from './format.ts';
import { Act } from './ui.tsx';

const casePath = (caseId: string, what: string) => `/v1/cases/${encodeURIComponent(caseId)}/${what}`;

/** "in 12 min", "missed", or met. */
export function SlaDue({ due, met, missed }: { due: string | undefined; met: boolean; missed: boolean }) {
  if (!due) return <>no target</>;
  if (missed) return <span class="breached">missed (due {new Date(due).toLocaleString()})</span>;
  if (met) return <>met</>;
  return <time dateTime={due}>due {relative(due)}</time>;
}

/** A one-field form that posts what is typed and clears it. */
function OneField({ label, id, path, body, onDone, button }: { label: string; id: string; path: string; body: (value: string) => unknown; onDone: () => void; button: string }) {
  const [value, setValue] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  return (
    <form
      class="inline"
      onSubmit={(e) => {
        e.preventDefault();
        if (!value.trim()) return;
        setBusy(true);
        setError(undefined);
        api('POST', path, { body: body(value.trim()) })
          .then(() => {
            setValue('');
            onDone();
          }, (err: unknown) => setError(message(err)))
          .finally(() => setBusy(false));
      }}
    >
      <label for={id}>{label}</label> <input id={id} value={value} onInput={(e) => setValue((e.target as HTMLInputElement).value)} />{' '}
      <button type="submit" disabled={busy}>
        {button}
      </button>
      {error && <span role="alert" class="error"> {error}</span>}
    </form>
  );
}

export function Tags({ view, canEdit, onDone }: { view: CaseView; canEdit: boolean; onDone: () => void }) {
  return (
    <>
      {view.tags.length === 0 && '—'}
      {view.tags.map((t) => (
        <span key={t} class="tag">
          {t}
          {canEdit && <Act label="×" ariaLabel={`Remove tag ${t}`} path={casePath(view.caseId, 'tags')} body={{ remove: [t] }} onDone={onDone} />}{' '}
        </span>
      ))}
      {canEdit && <OneField label="Add tag" id="add-tag" path={casePath(view.caseId, 'tags')} body={(t) => ({ add: [t] })} onDone={onDone} button="Add" />}
    </>
  );
}

export function AssignTo({ caseId, onDone }: { caseId: string; onDone: () => void }) {
  return <OneField label="Assign to" id="assign-to" path={casePath(caseId, 'assign')} body={(assignee) => ({ assignee })} onDone={onDone} button="Assign" />;
}

/** Close with a resolution, or reopen. */
export function CloseOrReopen({ view, onDone }: { view: CaseView; onDone: () => void }) {
  if (view.resolution) {
    return (
      <p data-testid="case-resolution">
        Closed by {view.resolution.by} {relative(view.resolution.at)}: {view.resolution.text}{' '}
        <Act label="Reopen" path={casePath(view.caseId, 'reopen')} body={{}} onDone={onDone} />
      </p>
    );
  }
  return <OneField label="Resolution" id="close-resolution" path={casePath(view.caseId, 'close')} body={(resolution) => ({ resolution })} onDone={onDone} button="Close the case" />;
}

export function Sightings({ view }: { view: CaseView }) {
  return (
    <section aria-labelledby="sightings-title">
      <h2 id="sightings-title">Hunt sightings</h2>
      {view.sightings.length === 0 ? (
        <p>No indicator of this case was sighted elsewhere.</p>
      ) : (
        <table class="cases">
          <caption class="visually-hidden">Where the case's indicators were seen</caption>
          <thead>
            <tr>
              <th scope="col">Indicator</th>
              <th scope="col">Host</th>
              <th scope="col">Where</th>
              <th scope="col">When</th>
              <th scope="col">Excerpt</th>
            </tr>
          </thead>
          <tbody>
            {view.sightings.map((s, i) => (
              <tr key={i}>
                <td>
                  {s.indicator.type} {s.indicator.value}
                </td>
                <td>{s.host ?? '—'}</td>
                <td>
                  {s.backend}: {s.where}
                </td>
                <td>
                  <time dateTime={s.at}>{relative(s.at)}</time>
                </td>
                <td>
                  <code>{s.excerpt}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function Evidence({ view }: { view: CaseView }) {
  return (
    <section aria-labelledby="evidence-title">
      <h2 id="evidence-title">Evidence</h2>
      {view.evidence.length === 0 ? (
        <p>No evidence collected.</p>
      ) : (
        <ul class="evidence">
          {view.evidence.map((e) => (
            <li key={e.evidenceId}>
              <strong>{e.kind}</strong> of {e.source} by {e.tool}, <time dateTime={e.at}>{relative(e.at)}</time>
              {e.bytes !== undefined ? `, ${e.bytes.toLocaleString()} bytes` : ''}
              <br />
              SHA-256 <code>{e.sha256 ?? 'not computed'}</code> — <code>{e.uri}</code>
              <details>
                <summary>Custody record</summary>
                <pre class="raw">{JSON.stringify(e.custody, null, 2)}</pre>
              </details>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
