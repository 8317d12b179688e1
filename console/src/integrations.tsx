// The integrations page (#/integrations): each integration, configured or not (and what it
// misses), how it has been doing — its last success and failure, with why it failed — its rate
// limit and the activities it provides. Setting values are never shown, only whether they are set.
import { useState } from 'preact/hooks';
import type { IntegrationView } from '../../api/integrations.ts';
import { api } from './api.ts';
import { relative } from './format.ts';
import { Loaded, useRead, When } from './ui.tsx';

/** As GET /v1/integrations answers (api/routes/integrations.ts). */
type Integration = IntegrationView;

const SHOW = [
  ['all', 'All'],
  ['configured', 'Configured'],
  ['failing', 'Failed last'],
  ['unconfigured', 'Not configured'],
] as const;
type Show = (typeof SHOW)[number][0];

/** "4 a minute", "1000 a day", "10 a second"; else "N per S s". */
function rate(r: { limit: number; intervalMs: number }): string {
  const unit: Record<number, string> = { 1000: 'second', 60_000: 'minute', 3_600_000: 'hour', 86_400_000: 'day' };
  return unit[r.intervalMs] ? `${r.limit} a ${unit[r.intervalMs] ?? ''}` : `${r.limit} per ${r.intervalMs / 1000} s`;
}

const failingNow = (i: Integration) => i.lastFailureAt !== null && (i.lastSuccessAt === null || i.lastFailureAt > i.lastSuccessAt);

export function IntegrationsPage() {
  const read = useRead(() => api<{ integrations: Integration[] }>('GET', '/v1/integrations'), []);
  const [show, setShow] = useState<Show>('all');
  return (
    <section aria-labelledby="integrations-title">
      <h1 id="integrations-title">Integrations</h1>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label for="i-show">Show</label>
        <select id="i-show" value={show} onChange={(e) => setShow((e.target as HTMLSelectElement).value as Show)}>
          {SHOW.map(([value, name]) => (
            <option key={value} value={value}>
              {name}
            </option>
          ))}
        </select>
        <button type="button" onClick={() => void read.reload()}>
          Refresh
        </button>
      </form>
      <Loaded read={read} what="the integrations" isEmpty={(d) => d.integrations.length === 0} empty="No integration in the catalog.">
        {({ integrations }) => {
          const shown = integrations.filter((i) => show === 'all' || (show === 'configured' ? i.configured : show === 'unconfigured' ? !i.configured : failingNow(i)));
          const configured = integrations.filter((i) => i.configured).length;
          return (
            <>
              <p class="muted">
                {configured} of {integrations.length} configured; {integrations.filter(failingNow).length} failed on their last call.
              </p>
              {shown.length === 0 ? (
                <p class="empty">None.</p>
              ) : (
                <table class="cases integrations">
                  <caption class="visually-hidden">Integrations: configuration, last success and failure</caption>
                  <thead>
                    <tr>
                      <th scope="col">Integration</th>
                      <th scope="col">Category</th>
                      <th scope="col">Configured</th>
                      <th scope="col">Last success</th>
                      <th scope="col">Last failure</th>
                      <th scope="col">Calls</th>
                      <th scope="col">Rate limit</th>
                    </tr>
                  </thead>
                  <tbody>
                    {shown.map((i) => (
                      <tr key={i.name} data-integration={i.name}>
                        <td>
                          <a href={i.docUrl} target="_blank" rel="noopener">
                            {i.title}
                          </a>
                          <span class="case-id">{i.name}</span>
                        </td>
                        <td>{i.category}</td>
                        <td class="configured">
                          {i.configured ? 'Yes' : <span>No — set {i.missing.join(', ') || 'its settings'}</span>}
                        </td>
                        <td>
                          <When at={i.lastSuccessAt} />
                          {i.lastSuccessAt && <span class="case-id">{relative(i.lastSuccessAt)}</span>}
                        </td>
                        <td class={failingNow(i) ? 'breached' : ''}>
                          <When at={i.lastFailureAt} />
                          {i.lastFailure && (
                            <span class="case-id">
                              {i.lastFailure.type}: {i.lastFailure.message}
                            </span>
                          )}
                        </td>
                        <td class="calls">
                          {i.successes} ok, {i.failures} failed
                        </td>
                        <td>{i.rateLimit ? rate(i.rateLimit) : '—'}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </>
          );
        }}
      </Loaded>
    </section>
  );
}
