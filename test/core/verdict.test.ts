import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assessC2, type EnrichmentOutcome, type VerdictLevel } from '../../core/verdict.ts';

const ip = { type: 'ip' as const, value: '203.0.113.7' };
const ok = (source: string, level: VerdictLevel, score: number): EnrichmentOutcome => ({
  source,
  observable: ip,
  status: 'ok',
  verdict: { source, observable: ip, level, score, summary: `${level}`, found: true, tags: [], related: [] },
});
const skipped = (source: string): EnrichmentOutcome => ({ source, observable: ip, status: 'skipped', reason: 'not configured' });

describe('the suspected-C2 score', () => {
  it('any malicious or suspicious source asks to contain, whatever the severity', () => {
    const a = assessC2([ok('virustotal', 'malicious', 100), ok('abuseipdb', 'info', 3)], 1);
    assert.deepEqual([a.level, a.score, a.conclusive, a.askToContain], ['malicious', 100, true, true]);
    assert.equal(assessC2([ok('abuseipdb', 'suspicious', 40)], 1).askToContain, true);
  });

  it('malicious outranks a source that vouches for the address', () => {
    const a = assessC2([ok('abuseipdb', 'safe', 0), ok('virustotal', 'malicious', 60)], 2);
    assert.equal(a.level, 'malicious');
    assert.equal(a.askToContain, true);
  });

  it('a source affirming safe, with none worse, closes without asking even on Critical', () => {
    const a = assessC2([ok('abuseipdb', 'safe', 0), ok('virustotal', 'info', 0)], 5);
    assert.deepEqual([a.level, a.conclusive, a.askToContain], ['safe', true, false]);
  });

  it('with nothing configured or known, severity decides: High and above ask, below do not', () => {
    for (const [sev, ask] of [[4, true], [5, true], [6, true], [3, false], [1, false], [99, false]] as const) {
      const a = assessC2([skipped('virustotal'), skipped('abuseipdb'), ok('virustotal', 'info', 0)], sev);
      assert.equal(a.conclusive, false);
      assert.equal(a.askToContain, ask, `severity ${sev}`);
    }
  });

  it('DNS answers are context, never reputation', () => {
    const a = assessC2([ok('dns', 'info', 0)], 2);
    assert.equal(a.level, 'inconclusive');
  });
});
