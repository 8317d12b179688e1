// The first-seen domain rule: how the log importer (`npm run logs:import -- --alert`) names the
// alerts it posts — the never-seen-domain playbook routes on the same constant (core/alert.ts).
import { RiposteRule } from '../../core/alert.ts';

/** The OCSF `finding_info.analytic` of a first-seen domain alert. */
export const FIRST_SEEN_DOMAIN_RULE = RiposteRule.firstSeenDomain;
