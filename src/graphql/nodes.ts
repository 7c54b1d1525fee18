// What every record type of the API shares: how a node of an organization is found, and how a
// mutation's payload loads the record it changed.
import type { Context } from './context.js';
import type { BuilderTypes } from './builder.js';

/**
 * The node options of a record that belongs to an organization: found by id within the caller's
 * organization only, so another organization's id resolves to null exactly as an id that does
 * not exist (as Relay expects); and only the columns a query asks for are read.
 */
export const tenantNode = {
  id: { field: 'id' },
  nullable: true,
  select: { id: true },
  findUnique: (id: string, context: Context) => ({ id, organizationId: context.auth.current.organizationId }),
} as const;

type Models = BuilderTypes['PrismaTypes'];
type Delegate = { findUniqueOrThrow(args: { where: { id: string } }): Promise<unknown> };

/**
 * A payload field that loads the record a mutation wrote, with the fields the client selected
 * (one query, as any Prisma field): `record(t, 'Award', 'The award, as it is now.', (payload) => payload.awardId)`.
 */
export function record<Payload, Name extends keyof Models & string>(
  t: PothosSchemaTypes.ObjectFieldBuilder<BuilderTypes, Payload>,
  type: Name,
  description: string,
  idOf: (payload: Payload) => string,
) {
  const model = (type.charAt(0).toLowerCase() + type.slice(1)) as keyof Context['deps']['reader'];
  return t.prismaField({
    type,
    description,
    resolve: (query: object, payload: Payload, _args: unknown, context: Context) =>
      (context.deps.reader[model] as unknown as Delegate).findUniqueOrThrow({ ...query, where: { id: idOf(payload) } }) as never,
  } as never);
}
