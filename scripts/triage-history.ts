// A labelled alert history with known ground truth, for `npm run eval:triage`: noisy benign rules
// on the hosts where they are normal, a benign rule whose rate drifts up (a software roll-out), rare
// true positives, and attacks — a burst far above a host's normal rate, and rules firing on hosts
// that never saw them. Seeded: the same seed gives the same history.

import { prng } from './prng.ts';

export interface LabelledAlert {
  source: string;
  rule: string;
  entities: string[];
  severity_id: number;
  at: number;
  /** Ground truth: an analyst who looks closely calls it a false positive. */
  benign: boolean;
  /** Ground truth: part of an attack that is out of the ordinary (a burst, a first time). */
  anomalous: boolean;
}

export interface HistoryOptions {
  seed?: number;
  days?: number;
  /** Attacks after the first two weeks (default: one every 3 days). */
  attacks?: number;
}

const HOUR = 3_600_000;
const START = Date.parse('2026-09-07T00:00:00Z'); // a Monday


/** Poisson-distributed count with mean `lambda` (Knuth; lambda is small here). */
function poisson(rand: () => number, lambda: number): number {
  const limit = Math.exp(-lambda);
  let k = 0;
  let p = rand();
  while (p > limit) {
    k++;
    p *= rand();
  }
  return k;
}

/** Office hours bring more of everything: a weekday 08–18 UTC hour counts thrice. */
function busy(at: number): number {
  const d = new Date(at);
  const weekday = d.getUTCDay() >= 1 && d.getUTCDay() <= 5;
  return weekday && d.getUTCHours() >= 8 && d.getUTCHours() < 18 ? 3 : weekday ? 1 : 0.5;
}

export function generateHistory(opts: HistoryOptions = {}): LabelledAlert[] {
  const rand = prng(opts.seed ?? 7);
  const days = opts.days ?? 56;
  const hours = days * 24;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const hosts = Array.from({ length: 200 }, (_, i) => `host:ws-${String(i + 1).padStart(3, '0')}`);
  const admins = hosts.slice(0, 12);
  const backup = hosts.slice(12, 52);
  const dnsHeavy = hosts.slice(52, 72);
  const users = Array.from({ length: 60 }, (_, i) => `user:u${i + 1}@corp.example`);
  const travellers = users.slice(0, 25);
  const adminAccounts = ['user:adm-1@corp.example', 'user:adm-2@corp.example', 'user:adm-3@corp.example'];
  /** Each person signs in at their own workstation. */
  const home = (user: string) => hosts[72 + users.indexOf(user)] as string;
  const out: LabelledAlert[] = [];
  const add = (a: Omit<LabelledAlert, 'anomalous'> & { anomalous?: boolean }) => out.push({ anomalous: false, ...a });
  const remote = () => `ip:203.0.${Math.floor(rand() * 255)}.${Math.floor(rand() * 255)}`;

  for (let h = 0; h < hours; h++) {
    const hourStart = START + h * HOUR;
    const at = () => hourStart + Math.floor(rand() * HOUR);
    const load = busy(hourStart);
    // Backups and admin tools: noisy, always benign where they are normal.
    for (const host of backup) for (let i = poisson(rand, 0.08 * load); i > 0; i--) add({ source: 'wazuh', rule: 'Scheduled task created', entities: [host], severity_id: 3, at: at(), benign: true });
    for (const host of admins) for (let i = poisson(rand, 0.1 * load); i > 0; i--) add({ source: 'elasticdefend', rule: 'Encoded PowerShell command', entities: [host, pick(adminAccounts)], severity_id: 4, at: at(), benign: true });
    // The vulnerability scanner sweeps the estate.
    for (let i = poisson(rand, 1.5); i > 0; i--) add({ source: 'suricata', rule: 'ET SCAN Nmap scripting engine', entities: ['host:scanner-1', pick(hosts).replace('host:', 'ip:10.0.0.')], severity_id: 2, at: at(), benign: true });
    // DNS-heavy build agents: benign, and twice as many from week 5 (a roll-out), slowly.
    const drift = h < 28 * 24 ? 1 : Math.min(2, 1 + (h - 28 * 24) / (7 * 24));
    for (const host of dnsHeavy) for (let i = poisson(rand, 0.05 * drift * load); i > 0; i--) add({ source: 'suricata', rule: 'DNS tunneling heuristic', entities: [host], severity_id: 3, at: at(), benign: true });
    // Impossible travel: travellers on VPNs (benign); now and then a real account takeover.
    for (const user of travellers) {
      for (let i = poisson(rand, 0.012 * load); i > 0; i--) {
        const real = rand() < 0.04;
        add({ source: 'guardduty', rule: 'Impossible travel', entities: [user], severity_id: 4, at: at(), benign: !real });
      }
    }
    // Failed logins: mostly fat fingers; a few are guessing.
    for (let i = poisson(rand, 0.6 * load); i > 0; i--) {
      const user = pick(users);
      add({ source: 'splunk', rule: 'Repeated failed logins', entities: [user, home(user)], severity_id: 3, at: at(), benign: rand() > 0.15 });
    }
    // Rare true positives.
    // Rare true positives: out of the ordinary by nature.
    if (rand() < 1 / 72) add({ source: 'suricata', rule: 'Suspected C2 beacon', entities: [pick(hosts), remote()], severity_id: 5, at: at(), benign: false, anomalous: true });
    if (rand() < 1 / 200) add({ source: 'crowdstrike', rule: 'Credential dumping', entities: [pick(hosts)], severity_id: 5, at: at(), benign: false, anomalous: true });
  }

  // Attacks after two weeks of normal: a host beaconing far above its normal outbound rate, and
  // admin tooling on a host that never ran it.
  const attacks = opts.attacks ?? Math.floor((days - 14) / 3);
  for (let n = 0; n < attacks; n++) {
    const start = START + (14 * 24 + Math.floor(rand() * (hours - 15 * 24))) * HOUR;
    const victim = pick(hosts.slice(72));
    const burst = 12 + Math.floor(rand() * 20);
    for (let i = 0; i < burst; i++) add({ source: 'splunk', rule: 'Repeated failed logins', entities: [pick(users), victim], severity_id: 3, at: start + Math.floor((i / burst) * 2 * HOUR), benign: false, anomalous: true });
    const moves = 1 + Math.floor(rand() * 3);
    for (let i = 0; i < moves; i++) add({ source: 'elasticdefend', rule: 'Encoded PowerShell command', entities: [victim, pick(users)], severity_id: 4, at: start + 2 * HOUR + i * 600_000, benign: false, anomalous: true });
  }
  return out.sort((a, b) => a.at - b.at);
}
