// Where a playbook's settings come from: RIPOSTE_<PLAYBOOK>_<SETTING>, e.g. suspected-c2's
// approvalTimeout is RIPOSTE_SUSPECTED_C2_APPROVAL_TIMEOUT. Pure; the worker reads the variable,
// the catalog shows its name.
export function playbookSettingEnv(playbook: string, setting: string): string {
  const part = (s: string) => s.replace(/-/g, '_').replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
  return `RIPOSTE_${part(playbook)}_${part(setting)}`;
}

/** Collection and containment: the capabilities the privileged worker answers for in a run's context. */
export function isPrivilegedCapability(capability: string): boolean {
  return capability.startsWith('collect.') || capability.startsWith('contain.');
}
