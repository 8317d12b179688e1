// People and their personal tokens (admin): list, add, disable, enable, rotate, change a role.
// A token is shown once, in the answer that made it; users.db keeps only its SHA-256.
import { Type } from '@sinclair/typebox';
import { Role } from '../../core/roles.ts';
import { UserError, type User, type UserStore } from '../../store/users.ts';
import type { RouteSpec } from '../openapi.ts';
import { HttpError } from '../problem.ts';
import { Problem } from '../schemas.ts';

const RoleSchema = Type.Union(Object.values(Role).map((r) => Type.Literal(r)));
const UserSchema = Type.Object({
  name: Type.String(),
  role: RoleSchema,
  status: Type.Union([Type.Literal('active'), Type.Literal('disabled')]),
  createdAt: Type.String(),
  createdBy: Type.String(),
  updatedAt: Type.String(),
  updatedBy: Type.String(),
  tokenCreatedAt: Type.String(),
  lastUsedAt: Type.Optional(Type.String()),
});
const WithToken = Type.Object({ user: UserSchema, token: Type.String({ description: 'Shown once; Riposte keeps only its hash' }) });
const NameParams = Type.Object({ name: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$' }) });
const ACTIONS = ['disable', 'enable', 'rotate'] as const;

/** A store error as the API answers it. */
async function answer<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (err) {
    if (err instanceof UserError) throw new HttpError(err.code === 'exists' ? 409 : err.code === 'not_found' ? 404 : 422, err.message);
    throw err;
  }
}

export function userRoutes(users: UserStore): RouteSpec[] {
  const by = (req: { principal?: { name: string } }) => req.principal?.name ?? 'unknown';
  const withToken = (r: { user: User; token: { reveal(): string } }) => ({ user: r.user, token: r.token.reveal() });
  return [
    {
      method: 'get',
      path: '/v1/users',
      operationId: 'listUsers',
      summary: 'List people with personal tokens (never the tokens)',
      tags: ['users'],
      roles: ['admin'],
      responses: { 200: { description: 'Every user', schema: Type.Object({ users: Type.Array(UserSchema) }) } },
      handler: async (_req, res) => void res.json({ users: await users.list() }),
    },
    {
      method: 'post',
      path: '/v1/users',
      operationId: 'addUser',
      summary: 'Add a person with a role; answers their token, once',
      tags: ['users'],
      roles: ['admin'],
      body: Type.Object({ name: NameParams.properties.name, role: RoleSchema }, { additionalProperties: false }),
      responses: { 201: { description: 'Added', schema: WithToken }, 409: { description: 'The name is taken', schema: Problem }, 422: { description: 'Not a valid name or role', schema: Problem } },
      handler: async (req, res) => {
        const body = req.body as { name: string; role: Role };
        res.status(201).json(withToken(await answer(() => users.add(body.name, body.role, by(req)))));
      },
    },
    ...ACTIONS.map(
      (action): RouteSpec => ({
        method: 'post',
        path: `/v1/users/{name}/${action}`,
        operationId: `${action}User`,
        summary: action === 'rotate' ? 'Issue a new token (the old one stops working at once); answers it, once' : `${action[0]?.toUpperCase()}${action.slice(1)} a user's token`,
        tags: ['users'],
        roles: ['admin'],
        params: NameParams,
        responses: { 200: { description: 'Done', schema: action === 'rotate' ? WithToken : UserSchema }, 404: { description: 'No such user', schema: Problem } },
        handler: async (req, res) => {
          const name = req.params.name as string;
          if (action === 'rotate') return void res.json(withToken(await answer(() => users.rotate(name, by(req)))));
          res.json(await answer(() => (action === 'disable' ? users.disable(name, by(req)) : users.enable(name, by(req)))));
        },
      })
    ),
    {
      method: 'post',
      path: '/v1/users/{name}/role',
      operationId: 'setUserRole',
      summary: "Change a user's role (takes effect on their next request)",
      tags: ['users'],
      roles: ['admin'],
      params: NameParams,
      body: Type.Object({ role: RoleSchema }, { additionalProperties: false }),
      responses: { 200: { description: 'Changed', schema: UserSchema }, 404: { description: 'No such user', schema: Problem } },
      handler: async (req, res) => void res.json(await answer(() => users.setRole(req.params.name as string, (req.body as { role: Role }).role, by(req)))),
    },
  ];
}
