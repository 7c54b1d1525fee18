// What award rules did in the transaction of a change, as every activity mutation answers it.
import { builder } from '../../../graphql/builder.js';
import type { Context } from '../../../graphql/context.js';
import type { Award } from '../../../generated/prisma-sqlite/client.js';
import type { Reconciled } from '../reconcile.js';

/** How many awards of each kind AutomationEffects lists; the counts are always complete. */
const EFFECTS_LISTED = 1000;

/** Awards by id in the given order, a few hundred per query (databases cap a query's parameters). */
async function awardsById<Query extends object>(context: Context, query: Query, ids: readonly string[]) {
  const listed = ids.slice(0, EFFECTS_LISTED);
  if (listed.length === 0) {
    // Nothing to read (Prisma would still send the award query and one per included relation).
    // Reading the planned query marks it used for Pothos' unused-query check (tests, development).
    void { ...query };
    return [];
  }
  const chunks: Array<Promise<Array<{ id: string }>>> = [];
  for (let start = 0; start < listed.length; start += 500) {
    chunks.push(context.deps.reader.award.findMany({ ...query, where: { id: { in: listed.slice(start, start + 500) } } }) as Promise<Array<{ id: string }>>);
  }
  const byId = new Map((await Promise.all(chunks)).flat().map((award) => [award.id, award]));
  return listed.flatMap((id) => byId.get(id) ?? []);
}

export const AutomationEffectsRef = builder.objectRef<Reconciled>('AutomationEffects').implement({
  description: 'What award rules did in the same transaction as a change: already visible to any query that follows.',
  fields: (t) => ({
    issued: t.prismaField({
      type: ['Award'],
      description: `Awards issued (the first ${EFFECTS_LISTED}; see issuedCount).`,
      resolve: (query, effects, _args, context) => awardsById(context, query, effects.issued) as never,
    }),
    restored: t.prismaField({
      type: ['Award'],
      description: `Awards restored: automation had revoked them, and they are earned again (the first ${EFFECTS_LISTED}).`,
      resolve: (query, effects, _args, context) => awardsById(context, query, effects.restored) as never,
    }),
    revoked: t.prismaField({
      type: ['Award'],
      description: `Awards revoked because they are no longer earned; \`revokedReason\` says why (the first ${EFFECTS_LISTED}).`,
      resolve: (query, effects, _args, context) => awardsById(context, query, effects.revoked) as never,
    }),
    issuedCount: t.int({ description: 'How many awards were issued.', resolve: (effects) => effects.issued.length }),
    restoredCount: t.int({ description: 'How many awards were restored.', resolve: (effects) => effects.restored.length }),
    revokedCount: t.int({ description: 'How many awards were revoked.', resolve: (effects) => effects.revoked.length }),
  }),
});
