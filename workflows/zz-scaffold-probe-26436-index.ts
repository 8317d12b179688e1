export * from './index.ts';
export { lateralProbePlaybook } from './playbooks/zz-scaffold-probe-26436.ts';
