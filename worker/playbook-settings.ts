// Playbook settings are checked when the worker starts (configuration fails fast), not only when
// a run reads them: RIPOSTE_<PLAYBOOK>_<SETTING> for every setting every playbook declares.
import { checkSetting } from '../activities/playbook/index.ts';
import { playbookSettingEnv } from '../core/settings.ts';
import { PLAYBOOKS } from '../workflows/playbooks/index.ts';

export function playbookSettingProblems(env: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  for (const { meta } of PLAYBOOKS) {
    for (const [name, spec] of Object.entries(meta.settings)) {
      for (const variable of [playbookSettingEnv(meta.name, name), ...(spec.fallbackEnv ?? [])]) {
        const value = env[variable]?.trim();
        if (!value) continue;
        const problem = checkSetting(spec, value);
        if (problem) problems.push(`${variable} ${problem} (got "${value.slice(0, 60)}")`);
      }
    }
  }
  return [...new Set(problems)];
}
