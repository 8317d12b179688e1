// `npm run eval:triage`: the labelled history replayed through the learner prints its figures —
// and the learner earns its place: triage priority puts true positives first better than severity
// alone, and auto-close at a strict threshold closes benign alerts only.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';

const run = promisify(execFile);
const npm = (args: string[]) => run('npm', ['run', '-s', 'eval:triage', '--', ...args], { cwd: new URL('../..', import.meta.url).pathname });

describe('npm run eval:triage', () => {
  it('prints auto-close, flag and priority figures for a history', async () => {
    const { stdout } = await npm(['--days', '21', '--seed', '3']);
    assert.match(stdout, /^Labelled history: \d+ alerts over 21 days \(seed 3\)/);
    for (const heading of ['Auto-close (alerts closed unseen', 'Flags against the anomalous ground truth', 'Triage priority against severity alone']) assert.ok(stdout.includes(heading), `prints "${heading}"`);
    assert.match(stdout, /\| 0\.95 \| \d+ \| [\d.]+% \|/, 'a row per threshold');
  });

  it('as JSON: priority beats severity, and a strict auto-close closes no true positive', async () => {
    const r = JSON.parse((await npm(['--days', '28', '--json'])).stdout);
    assert.ok(r.priorityAuc > r.severityAuc + 0.2, `priority AUC ${r.priorityAuc} against severity ${r.severityAuc}`);
    const strict = r.autoClose.find((a: { threshold: number }) => a.threshold === 0.95);
    assert.equal(strict.truePositivesClosed, 0, JSON.stringify(strict.truePositivesClosedByRule));
    assert.ok(strict.workloadSaved > 0.3, `it still saves work (${strict.workloadSaved})`);
  });

  it('refuses a bad argument', async () => {
    await assert.rejects(npm(['--days', 'ten']), (err: { code?: number; stderr?: string }) => err.code === 2 && /usage: npm run eval:triage/.test(err.stderr ?? ''));
  });
});
