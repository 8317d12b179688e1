// What a playbook run reads once when it starts (a local activity, recorded in its history): its
// settings — RIPOSTE_<PLAYBOOK>_<SETTING>, then older variables, then the playbook's default,
// under this run's overrides — and which providers answer each capability.
import { ApplicationFailure } from '@temporalio/common';
import { parseDuration } from '../../core/duration.ts';
import { isPrivilegedCapability, playbookSettingEnv } from '../../core/settings.ts';
import type { ApprovalPolicy, PlaybookContext, PrivilegedProviders, ReadContextInput, SettingDeclaration } from './types.ts';
import { info } from './info.ts';

export { info };


type Env = Record<string, string | undefined>;

export function createPlaybookActivities(deps: { env: Env; providers: () => Omit<PlaybookContext, 'settings'>; split?: boolean }) {
  return {
    async playbookReadContext(input: ReadContextInput): Promise<PlaybookContext> {
      const settings = resolveSettings(input.playbook, input.settings, deps.env, input.overrides);
      return { settings, ...deps.providers(), ...(deps.split ? { split: true } : {}), approvalPolicy: approvalPolicy(deps.env) };
    },

    /** Evidence collectors and containment drivers, as the privileged worker is configured. */
    async playbookPrivilegedProviders(): Promise<PrivilegedProviders> {
      const { providers, unconfigured } = deps.providers();
      return {
        collect: providers.collect,
        contain: providers.contain,
        unconfigured: Object.fromEntries(Object.entries(unconfigured).filter(([cap]) => isPrivilegedCapability(cap))),
      };
    },
  };
}

/** A run's settings; a bad value fails the run with InvalidSettingsError naming the variable. */
export function resolveSettings(playbook: string, declared: Record<string, SettingDeclaration>, env: Env, overrides: Record<string, string> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  const problems: string[] = [];
  for (const [name, d] of Object.entries(declared)) {
    const variable = playbookSettingEnv(playbook, name);
    const fromEnv = [variable, ...(d.fallbackEnv ?? [])].map((v) => [v, env[v]?.trim()] as const).find(([, v]) => v);
    const [origin, value] = overrides[name] !== undefined ? [`the run's ${name}`, overrides[name] as string] : fromEnv ? [fromEnv[0], fromEnv[1] as string] : [`the default of ${name}`, d.default];
    const problem = checkSetting(d, value);
    if (problem) problems.push(`${origin}: ${problem} (got "${value.slice(0, 60)}")`);
    out[name] = value;
  }
  if (problems.length) throw ApplicationFailure.nonRetryable(`${playbook}: invalid settings: ${problems.join('; ')}`, 'InvalidSettingsError');
  return out;
}

/** Why a setting's text is not acceptable, or undefined. */
export function checkSetting(d: Pick<SettingDeclaration, 'kind' | 'choices'>, value: string): string | undefined {
  switch (d.kind) {
    case 'duration':
      return parseDuration(value) === undefined ? 'must be a duration like 90s, 30m, 2h, 7d' : undefined;
    case 'enum':
      return d.choices?.includes(value) ? undefined : `must be one of ${d.choices?.join(', ')}`;
    case 'number':
      return Number.isFinite(Number(value)) && value.trim() !== '' ? undefined : 'must be a number';
    default:
      return value.length > 2000 ? 'is too long' : undefined;
  }
}

const list = (v: string | undefined) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);

/** Four-eyes: which approvals need two distinct people. */
export function approvalPolicy(env: Env): ApprovalPolicy {
  return { twoPerson: list(env.RIPOSTE_TWO_PERSON_APPROVALS), criticalAssets: list(env.RIPOSTE_CRITICAL_ASSETS) };
}
