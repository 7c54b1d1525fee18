import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AddPointsBatchDocument, AddPointsDocument, AwardListNestedDocument, IssueAwardsDocument, ViewerDocument } from './generated/graphql.js';
import { createActiveTemplate } from './helpers/fixtures.js';
import { QUIET_POLLERS, startServer, type TestOrganization, type TestServer } from './helpers/server.js';

let server: TestServer;
let org: TestOrganization;
// PostgreSQL loads relations with joins in the page's own statement (Prisma's relationJoins);
// SQLite, where Prisma has no join strategy, with one batched statement per relation.
const joins = inject('templateDatabase').provider === 'postgresql';

beforeAll(async () => {
  // The uncached path is what is measured: the response cache would answer without SQL.
  server = await startServer({ ...QUIET_POLLERS, RESPONSE_CACHE_TTL_SECONDS: '0' });
  org = await server.createOrganization();
  const templates = await Promise.all([0, 1, 2].map((index) => createActiveTemplate(org.client, { tags: [`tag${index}`, 'shared'] })));
  await org.client.data(IssueAwardsDocument, {
    input: {
      awards: Array.from({ length: 120 }, (_, index) => ({
        templateId: templates[index % 3]!.id,
        recipient: { email: `n${index}@example.com`, name: `Earner Number ${index}` },
      })),
    },
  });
  await org.client.data(ViewerDocument); // records the key's use now, so no write lands in a measured request
});
afterAll(() => server?.stop());

async function statementsFor(first: number): Promise<string[]> {
  server.statements.length = 0;
  const { awards } = await org.client.data(AwardListNestedDocument, { first });
  expect(awards.edges).toHaveLength(first);
  expect(awards.edges.every((edge) => edge.node.template.tags.includes('shared') && edge.node.earner.email)).toBe(true);
  return [...server.statements];
}

describe('awards list with nested relations', () => {
  it('makes the same small number of SQL statements for 5, 50 and 100 awards', async () => {
    const small = await statementsFor(5);
    const large = await statementsFor(50);
    const full = await statementsFor(100);
    expect(large.length).toBe(small.length);
    expect(full.length).toBe(small.length);
    // The page and its total count; on SQLite, one batched statement more for each relation:
    // organization, template, template version, earner, and the templates' tags. (The API key was
    // read by the warm-up request and is remembered for a few seconds.)
    expect(small.length).toBe(joins ? 2 : 7);
  });
});

describe('earners’ balances on a page', () => {
  // Earner.points(category) is a filtered relation select, which the Prisma plugin batches: even
  // two categories on one page (the second a batched fallback load) cost a fixed number of
  // statements, so no per-row loader (DataLoader) is needed.
  it('reads balances of one or two categories in the same number of statements for 5 and 50 earners', async () => {
    await org.client.data(AddPointsBatchDocument, {
      input: { entries: Array.from({ length: 60 }, (_, index) => ({ earner: { email: `n${index}@example.com`, name: `Earner Number ${index}` }, amount: index + 1, category: index % 2 ? 'odd' : 'even' })) },
    });
    const count = async (query: string, first: number) => {
      server.statements.length = 0;
      const { data, errors } = await org.client.raw<{ earners: { edges: unknown[] } }>(query, { first });
      expect(errors).toBeUndefined();
      expect(data!.earners.edges).toHaveLength(first);
      return server.statements.length;
    };
    const one = 'query($first: Int) { earners(first: $first) { edges { node { id odd: points(category: "odd") } } } }';
    const two = 'query($first: Int) { earners(first: $first) { edges { node { id odd: points(category: "odd") even: points(category: "even") } } } }';
    expect([await count(one, 5), await count(one, 50)]).toEqual(joins ? [1, 1] : [2, 2]);
    expect([await count(two, 5), await count(two, 50)]).toEqual(joins ? [2, 2] : [4, 4]);
  });
});

describe('addPoints with its effects selected', () => {
  it('reads nothing for effects when no rule did anything', async () => {
    const { addPoints } = await org.client.data(AddPointsDocument, { input: { earner: { email: 'counted@example.com', name: 'Counted Earner' }, amount: 1 } });
    server.statements.length = 0;
    const again = await org.client.data(AddPointsDocument, { input: { earnerId: addPoints.entry.earner.id, amount: 1 } });
    expect(again.addPoints.effects).toEqual({ issued: [], restored: [], revoked: [] });
    // No award query for the three empty lists, nor the relation loads Prisma sends after one
    // (`IN (NULL)`): only the change itself, then the entry and its earner.
    expect(server.statements.filter((sql) => /[`"]Award[`"]|IN \(NULL\)/.test(sql))).toEqual([]);
  });
});
