// Fragments of hand-written SQL, for $queryRaw and $executeRaw: Prisma's own tagged template, from
// its runtime rather than from one provider's generated client, so code that runs on SQLite and
// PostgreSQL alike builds its statements from one place. Values are always bound parameters.
export { empty, join, raw, sqltag as sql, Sql } from '@prisma/client/runtime/client';
