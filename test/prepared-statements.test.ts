// PostgreSQL prepared statements (DATABASE_PREPARED_STATEMENTS): the same SQL text keeps one name,
// only so many texts (and none with many parameters) get one, and the server's connections really
// keep them prepared.
import { describe, expect, inject, it } from 'vitest';
import { statementNames } from '../src/db/client.js';
import { startServer } from './helpers/server.js';

describe('statement names', () => {
  it('are stable per SQL text, distinct between texts, and given to at most `limit` texts', () => {
    const names = statementNames(2)!;
    const first = names({ sql: 'SELECT 1', args: [] });
    expect(first).toMatch(/^badges_\d+$/);
    expect(names({ sql: 'SELECT 1', args: [] })).toBe(first);
    const second = names({ sql: 'SELECT 2', args: [] });
    expect(second).not.toBe(first);
    // The third text runs unnamed (not prepared), the first two keep their names.
    expect(names({ sql: 'SELECT 3', args: [] })).toBeUndefined();
    expect(names({ sql: 'SELECT 2', args: [] })).toBe(second);
    expect(statementNames(0)).toBeUndefined();
    // Bulk statements are planned with their values every time.
    expect(statementNames(10)!({ sql: 'INSERT …', args: Array.from({ length: 33 }, (_, index) => index) })).toBeUndefined();
  });
});

// SQLite has no server-side statements to keep: this part is PostgreSQL's alone.
if (inject('templateDatabase').provider === 'postgresql') describe('prepared statements on PostgreSQL', () => {
  const preparedOnOneConnection = async (env: Record<string, string>) => {
    const server = await startServer(env);
    try {
      // A transaction holds one connection: the statement run twice, then that session's list.
      return await server.app.deps.db.$transaction(async (tx) => {
        await tx.$queryRaw`SELECT 41 + 1 AS answer`;
        await tx.$queryRaw`SELECT 41 + 1 AS answer`;
        return tx.$queryRaw<Array<{ statement: string }>>`SELECT statement FROM pg_prepared_statements`;
      });
    } finally {
      await server.stop();
    }
  };

  it('keeps statements prepared on the connection that ran them, and none when set to 0', async () => {
    const prepared = await preparedOnOneConnection({});
    expect(prepared.filter((row) => row.statement === 'SELECT 41 + 1 AS answer')).toHaveLength(1);
    expect(await preparedOnOneConnection({ DATABASE_PREPARED_STATEMENTS: '0' })).toEqual([]);
  });
});
