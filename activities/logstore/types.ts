// The first-seen domain rule: how the log importer (`npm run logs:import -- --alert`) names the
// alerts it posts, and how the never-seen-domain playbook recognizes them. Pure constants, safe
// for workflows to import.

/** The OCSF `finding_info.analytic` of a first-seen domain alert. */
export const FIRST_SEEN_DOMAIN_RULE = { name: 'First-seen domain', uid: 'riposte:first-seen-domain' } as const;

/** Its exact type: a workflow (which may import activity code only as types) declares its own copy with it, and tsc keeps the two equal. */
export type FirstSeenDomainRule = typeof FIRST_SEEN_DOMAIN_RULE;
