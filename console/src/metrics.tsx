// The metrics page (#/metrics): charts over time (uPlot, bundled) from GET /v1/metrics/series —
// alert volume by source, case outcomes, time to detect / acknowledge / contain / resolve by
// severity or source, the false-positive rate by detection rule, service levels missed. Each chart
// has a caption and a table that says in words what it draws.
import type { Static } from '@sinclair/typebox';
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { MetricsSeriesResponse } from '../../api/routes/metrics.ts';
import { api } from './api.ts';
import { Loaded, useRead } from './ui.tsx';

type Series = Static<typeof MetricsSeriesResponse>;
type Timing = Series['timings'][number]['timing'];
interface Line {
  label: string;
  values: Array<number | null>;
}

const PERIODS = {
  '2d': { name: 'Last 48 hours, by hour', bucket: 'hour', ms: 2 * 86_400_000 },
  '7d': { name: 'Last 7 days, by day', bucket: 'day', ms: 7 * 86_400_000 },
  '30d': { name: 'Last 30 days, by day', bucket: 'day', ms: 30 * 86_400_000 },
  '90d': { name: 'Last 90 days, by day', bucket: 'day', ms: 90 * 86_400_000 },
} as const;
type Period = keyof typeof PERIODS;

const TIMINGS: Array<[Timing, string]> = [
  ['detect', 'detect'],
  ['acknowledge', 'acknowledge'],
  ['contain', 'contain'],
  ['resolve', 'resolve'],
];
/** Distinct on light and dark backgrounds. */
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];

const sum = (xs: Array<number | null>) => xs.reduce<number>((s, x) => s + (x ?? 0), 0);
const duration = (s: number) => (s < 1 ? `${s.toFixed(2)} s` : s < 120 ? `${s.toFixed(1)} s` : s < 7200 ? `${(s / 60).toFixed(1)} min` : `${(s / 3600).toFixed(1)} h`);

/** The unit that suits the longest of these durations (seconds). */
function unitFor(seconds: number[]): { name: string; per: number } {
  const max = Math.max(0, ...seconds);
  return max < 120 ? { name: 'seconds', per: 1 } : max < 7200 ? { name: 'minutes', per: 60 } : { name: 'hours', per: 3600 };
}

export function MetricsPage() {
  const [period, setPeriod] = useState<Period>('7d');
  const read = useRead(() => {
    const p = PERIODS[period];
    const q = new URLSearchParams({ bucket: p.bucket, since: new Date(Date.now() - p.ms).toISOString() });
    return api<Series>('GET', `/v1/metrics/series?${q.toString()}`);
  }, [period]);
  return (
    <section aria-labelledby="metrics-title">
      <h1 id="metrics-title">Metrics</h1>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label for="m-period">Period</label>
        <select id="m-period" value={period} onChange={(e) => setPeriod((e.target as HTMLSelectElement).value as Period)}>
          {Object.entries(PERIODS).map(([value, p]) => (
            <option key={value} value={value}>
              {p.name}
            </option>
          ))}
        </select>
        <button type="button" onClick={() => void read.reload()}>
          Refresh
        </button>
      </form>
      <Loaded read={read} what="the metrics">
        {(s) => <Charts s={s} />}
      </Loaded>
    </section>
  );
}

function Charts({ s }: { s: Series }) {
  const xs = s.buckets.map((b) => Date.parse(b) / 1000);
  const [timing, setTiming] = useState<Timing>('acknowledge');
  const [by, setBy] = useState<'severity' | 'source'>('severity');
  const rate = (fp: number[], judged: number[]) => judged.map((j, i) => (j ? (fp[i] ?? 0) / j : null));
  const timed = s.timings.filter((t) => t.timing === timing && t.by === by);
  const unit = unitFor(timed.flatMap((t) => t.p50.filter((v): v is number => v !== null)));
  return (
    <>
      {s.partial && <p class="error">More happened than one answer reads: narrow the period for exact figures.</p>}
      <Chart
        id="alert-volume"
        title="Alert volume by source"
        xs={xs}
        days={s.bucket === 'day'}
        lines={[...s.alerts.bySource.map((x) => ({ label: x.source, values: x.counts })), { label: 'suppressed (all sources)', values: s.alerts.suppressed }]}
        summary={<CountTable what="Source" lines={[...s.alerts.bySource.map((x) => ({ label: x.source, values: x.counts })), { label: 'suppressed (all sources)', values: s.alerts.suppressed }]} buckets={s.buckets} />}
      />
      <Chart
        id="outcomes"
        title="Cases opened, by verdict"
        xs={xs}
        days={s.bucket === 'day'}
        lines={s.cases.byVerdict.map((x) => ({ label: x.verdict.replace('_', ' '), values: x.counts }))}
        summary={
          <>
            <CountTable what="Verdict" lines={s.cases.byVerdict.map((x) => ({ label: x.verdict.replace('_', ' '), values: x.counts }))} buckets={s.buckets} />
            <p>
              Their status now: {s.cases.byStatus.length ? s.cases.byStatus.map((x) => `${x.status.replace('_', ' ')} ${sum(x.counts)}`).join(', ') : 'no case'}.
            </p>
          </>
        }
      />
      <div class="filters chart-controls">
        <label for="m-timing">Time to</label>
        <select id="m-timing" value={timing} onChange={(e) => setTiming((e.target as HTMLSelectElement).value as Timing)}>
          {TIMINGS.map(([value, name]) => (
            <option key={value} value={value}>
              {name}
            </option>
          ))}
        </select>
        <label for="m-by">by</label>
        <select id="m-by" value={by} onChange={(e) => setBy((e.target as HTMLSelectElement).value as typeof by)}>
          <option value="severity">severity</option>
          <option value="source">source</option>
        </select>
      </div>
      <Chart
        id="timings"
        title={`Median time to ${timing} by ${by} (${unit.name})`}
        xs={xs}
        days={s.bucket === 'day'}
        lines={timed.map((t) => ({ label: t.key, values: t.p50.map((v) => (v === null ? null : v / unit.per)) }))}
        summary={
          <table class="cases summary">
            <caption>Median time to {timing} by {by}</caption>
            <thead>
              <tr>
                <th scope="col">{by === 'severity' ? 'Severity' : 'Source'}</th>
                <th scope="col">Cases timed</th>
                <th scope="col">Lowest median</th>
                <th scope="col">Highest median</th>
              </tr>
            </thead>
            <tbody>
              {timed.map((t) => {
                const known = t.p50.filter((v): v is number => v !== null);
                return (
                  <tr key={t.key}>
                    <th scope="row">{t.key}</th>
                    <td>{sum(t.n)}</td>
                    <td>{known.length ? duration(Math.min(...known)) : '—'}</td>
                    <td>{known.length ? duration(Math.max(...known)) : '—'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        }
      />
      <Chart
        id="false-positives"
        title="False-positive rate by detection rule (share of judged cases)"
        xs={xs}
        days={s.bucket === 'day'}
        lines={s.falsePositives.map((r) => ({ label: r.rule, values: rate(r.falsePositive, r.judged) }))}
        summary={
          <table class="cases summary">
            <caption>False positives by detection rule</caption>
            <thead>
              <tr>
                <th scope="col">Rule</th>
                <th scope="col">Cases judged</th>
                <th scope="col">False positives</th>
                <th scope="col">Rate</th>
              </tr>
            </thead>
            <tbody>
              {s.falsePositives.map((r) => (
                <tr key={r.rule}>
                  <th scope="row">{r.rule}</th>
                  <td>{sum(r.judged)}</td>
                  <td>{sum(r.falsePositive)}</td>
                  <td>{sum(r.judged) ? `${Math.round((100 * sum(r.falsePositive)) / sum(r.judged))} %` : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        }
      />
      <Chart
        id="sla"
        title="Service levels missed, by when the case opened"
        xs={xs}
        days={s.bucket === 'day'}
        lines={[
          { label: 'not acknowledged in time', values: s.slaBreaches.acknowledge },
          { label: 'not contained in time', values: s.slaBreaches.contain },
        ]}
        summary={
          <CountTable
            what="Target"
            lines={[
              { label: 'not acknowledged in time', values: s.slaBreaches.acknowledge },
              { label: 'not contained in time', values: s.slaBreaches.contain },
            ]}
            buckets={s.buckets}
          />
        }
      />
    </>
  );
}

/** Totals and the busiest bucket of each line, as a table. */
function CountTable({ what, lines, buckets }: { what: string; lines: Line[]; buckets: string[] }) {
  return (
    <table class="cases summary">
      <caption>In numbers</caption>
      <thead>
        <tr>
          <th scope="col">{what}</th>
          <th scope="col">Total</th>
          <th scope="col">Busiest</th>
        </tr>
      </thead>
      <tbody>
        {lines.map((l) => {
          const top = l.values.reduce<number>((best, v, i) => ((v ?? 0) > (l.values[best] ?? 0) ? i : best), 0);
          const peak = l.values[top] ?? 0;
          return (
            <tr key={l.label}>
              <th scope="row">{l.label}</th>
              <td>{sum(l.values)}</td>
              <td>{peak > 0 ? `${peak} (${new Date(buckets[top] ?? '').toLocaleString()})` : '—'}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** A uPlot chart in a figure: a caption, the canvas (an image described by the summary), the summary. */
function Chart({ id, title, xs, days, lines, summary }: { id: string; title: string; xs: number[]; days: boolean; lines: Line[]; summary: ComponentChildren }) {
  const drawn = lines.some((l) => l.values.some((v) => v !== null && v !== 0));
  return (
    <figure class="chart" id={id} aria-labelledby={`${id}-caption`}>
      <figcaption id={`${id}-caption`}>{title}</figcaption>
      {drawn ? (
        <>
          <Plot xs={xs} days={days} lines={lines} label={`${title}: a line per series over time; the table below gives the figures`} />
          <ul class="legend" aria-hidden="true">
            {lines.map((l, i) => (
              <li key={l.label}>
                <span class="swatch" data-color={i % COLORS.length} /> {l.label}
              </li>
            ))}
          </ul>
        </>
      ) : (
        <p class="empty">Nothing to draw in this period.</p>
      )}
      <div class="chart-summary">{summary}</div>
    </figure>
  );
}

const DARK = '(prefers-color-scheme: dark)';
/** Ticks a day apart at least, when each point is a day. */
const DAY_TICKS = [86_400, 2 * 86_400, 7 * 86_400, 14 * 86_400, 30 * 86_400];

function Plot({ xs, days, lines, label }: { xs: number[]; days: boolean; lines: Line[]; label: string }) {
  const box = useRef<HTMLDivElement>(null);
  // Drawn again only when what it draws changes, not on every render of the page — or when the
  // system turns dark or light (the canvas takes its colours from the page's).
  const data = JSON.stringify([xs, days, lines]);
  const [scheme, setScheme] = useState(() => matchMedia(DARK).matches);
  useEffect(() => {
    const query = matchMedia(DARK);
    const changed = () => setScheme(query.matches);
    query.addEventListener('change', changed);
    return () => query.removeEventListener('change', changed);
  }, []);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const css = getComputedStyle(document.documentElement);
    const fg = css.getPropertyValue('--fg').trim() || '#1d2430';
    const grid = css.getPropertyValue('--line').trim() || '#d9dde4';
    const axis = { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    const size = () => ({ width: Math.max(280, el.clientWidth), height: 220 });
    const plot = new uPlot(
      {
        ...size(),
        legend: { show: false },
        scales: { y: { range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.1 : 1] } },
        axes: [days ? { ...axis, incrs: DAY_TICKS, values: (_u: uPlot, ticks: number[]) => ticks.map((t) => new Date(t * 1000).toLocaleDateString(undefined, { month: 'short', day: 'numeric' })) } : axis, axis],
        series: [{}, ...lines.map((l, i) => ({ label: l.label, stroke: COLORS[i % COLORS.length], width: 2, spanGaps: false, points: { show: true, size: 5 } }))],
      },
      [xs, ...lines.map((l) => l.values)],
      el
    );
    const resized = new ResizeObserver(() => plot.setSize(size()));
    resized.observe(el);
    return () => {
      resized.disconnect();
      plot.destroy();
    };
  }, [data, scheme]);
  return <div class="plot" ref={box} role="img" aria-label={label} />;
}
