// Who may do what. Pure: imports nothing, so the API, the CLI and the UI read one definition.
//   viewer   reads cases, alerts and playbooks; changes nothing
//   analyst  a viewer, and: comment, assign, set a verdict, approve or reject a gated action,
//            undo an action, propose a suppression
//   admin    an analyst, and: users, global suppressions, settings, the audit log
//   source   a machine that posts alerts, and nothing else
// People form a ladder (admin ⊇ analyst ⊇ viewer). `source` stands apart: an alert feed's token
// reads nothing, and a person's token — even an admin's — cannot post as a source, so alerts
// come only from credentials issued for that purpose.

export const Role = { viewer: 'viewer', analyst: 'analyst', admin: 'admin', source: 'source' } as const;
export type Role = (typeof Role)[keyof typeof Role];

/** The roles a person may hold, lowest first. */
export const PERSON_ROLES = ['viewer', 'analyst', 'admin'] as const satisfies readonly Role[];
export type PersonRole = (typeof PERSON_ROLES)[number];

/** Rank on the people's ladder; `source` has none because it is not on it. */
export const ROLE_RANK: Readonly<Record<PersonRole, number>> = { viewer: 1, analyst: 2, admin: 3 };

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && Object.hasOwn(Role, value);
}

export function isPersonRole(role: Role): role is PersonRole {
  return role !== Role.source;
}

/** Whether a principal holding `have` may do what needs `need`. */
export function roleAllows(have: Role, need: Role): boolean {
  if (!isPersonRole(have) || !isPersonRole(need)) return have === need;
  return ROLE_RANK[have] >= ROLE_RANK[need];
}
