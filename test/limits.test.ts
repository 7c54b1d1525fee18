// Costly documents are refused before anything runs, with a client error that names the limit,
// whoever sends them and however they are built; nothing reaches a resolver or the database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUIET_POLLERS, startServer, statementsSettled, type TestOrganization, type TestServer } from './helpers/server.js';

let server: TestServer;
let org: TestOrganization;
const logLines: string[] = [];

beforeAll(async () => {
  // The workers' polls are spaced out so that their statements cannot land among a request's
  // (a test below checks that a refused document ran none).
  server = await startServer({ RESPONSE_CACHE_TTL_SECONDS: '0', ...QUIET_POLLERS }, { logLines });
  org = await server.createOrganization();
  // A key's first use is recorded in the background, and that change wakes the outbox workers:
  // both happen here, before any test counts statements (the test clock does not move, so the
  // use is not recorded again).
  await org.client.raw('{ viewer { permissions } }');
  await server.app.deps.background.drain();
  await statementsSettled(server);
});
afterAll(() => server?.stop());

const repeat = (count: number, make: (index: number) => string) => Array.from({ length: count }, (_, index) => make(index)).join(' ');

/** A fragment that spreads the one before it twice, `levels` times: 2^levels copies of the first. */
function fragmentBomb(levels: number): string {
  const fragments = ['fragment F0 on Query { awards { totalCount } }'];
  for (let level = 1; level <= levels; level += 1) fragments.push(`fragment F${level} on Query { ...F${level - 1} ...F${level - 1} }`);
  return `query { ...F${levels} } ${fragments.join(' ')}`;
}

function nested(depth: number): string {
  let selection = 'id';
  for (let level = 0; level < depth; level += 1) selection = level % 2 === 0 ? `template { awards { edges { node { ${selection} } } } }` : `earner { ${selection} }`;
  return `{ awards { edges { node { ${selection} } } } }`;
}

const cases: Array<[string, string, Record<string, unknown>]> = [
  ['64,000 aliases of a root field (1.6 MB)', `{ ${repeat(64_000, (i) => `a${i}: awards { totalCount }`)} }`, { code: 'BAD_REQUEST', limit: 'textBytes' }],
  ['a document of more tokens than the parser reads', `{${repeat(2_000, (i) => `a${i}:viewer{permissions}`)}}`, { code: 'GRAPHQL_PARSE_FAILED' }],
  ['1,000 aliases', `{ viewer { ${repeat(1_000, (i) => `a${i}: permissions`)} } }`, { code: 'GRAPHQL_VALIDATION_FAILED', limit: 'aliases', value: 1000 }],
  ['the same root field 500 times', `{ ${repeat(500, () => 'awards { totalCount }')} }`, { code: 'GRAPHQL_VALIDATION_FAILED', limit: 'rootFields' }],
  ['one field repeated 300 times in a fragment', `{ ...F } fragment F on Query { viewer { ${repeat(300, () => 'organization { id name }')} } }`, { limit: 'repeatedName', value: 300 }],
  ['a fragment bomb of 2^30 copies', fragmentBomb(30), { code: 'GRAPHQL_VALIDATION_FAILED', limit: 'selections' }],
  ['a path deeper than the depth limit', nested(14), { code: 'GRAPHQL_VALIDATION_FAILED', limit: 'depth', max: 12 }],
  ['60 directives', `{ ${repeat(20, (i) => `v${i}: viewer @include(if: true) @skip(if: false) { permissions @include(if: true) }`)} }`, { limit: 'directives', value: 60 }],
  ['a page size that makes it cost too much', '{ a: awards(first: 100) { edges { node { template { awards(first: 100) { edges { node { history { at } } } } } } } } }', { code: 'GRAPHQL_VALIDATION_FAILED', limit: 'complexity' }],
];

describe('costly documents', () => {
  it.each(cases)('are refused before they run: %s', async (_name, query, expected) => {
    server.statements.length = 0;
    const started = process.cpuUsage();
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': org.apiKey },
      body: JSON.stringify({ query }),
    });
    const body = (await response.json()) as { data?: unknown; errors: Array<{ message: string; extensions: Record<string, unknown> }> };
    expect(body.errors[0]!.extensions).toMatchObject(expected);
    expect(body.errors[0]!.message).toMatch(/limit|at most/i);
    expect(body.data ?? null).toBeNull();
    // Nothing ran: no statement beyond the API key's lookup. (A background worker's look for
    // due jobs or messages may land in the window: no request causes it.)
    const background = /[`"](WebhookDelivery|EmailMessage|AutomationJob|ImportJob)[`"]/;
    expect(server.statements.filter((sql) => !/"ApiKey"/.test(sql) && !background.test(sql))).toEqual([]);
    // Generous: the point is that the refusal comes before the work, which took seconds.
    const used = process.cpuUsage(started);
    expect((used.user + used.system) / 1000).toBeLessThan(2_000);
  });

  it('the same cost from a variable is refused too', async () => {
    const query = 'query ($n: Int) { awards(first: $n) { edges { node { template { awards(first: $n) { edges { node { history { at } } } } } } } } }';
    const small = await org.client.raw(query, { n: 2 });
    expect(small.errors).toBeUndefined();
    const large = await org.client.raw(query, { n: 100 });
    expect(large.errors?.[0]?.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', limit: 'complexity' });
  });

  it('the cost is that of the operation the request names, not of the first in the document', async () => {
    const costly = cases.find(([name]) => name.startsWith('a page size'))![1];
    const run = async (operationName: string) => {
      const response = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': org.apiKey },
        body: JSON.stringify({ query: `query Cheap { __typename } query Costly ${costly}`, operationName }),
      });
      return (await response.json()) as { data?: unknown; errors?: Array<{ extensions: Record<string, unknown> }> };
    };
    const refused = await run('Costly');
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', limit: 'complexity' });
    expect(refused.data ?? null).toBeNull();
    expect((await run('Cheap')).errors).toBeUndefined();
    expect((await run('Costly')).errors?.[0]?.extensions).toMatchObject({ limit: 'complexity' });
  });

  it('are refused every time they are sent: what is kept of a document is its refusal', async () => {
    const costly = cases.find(([name]) => name.startsWith('a page size'))![1];
    for (const query of [costly, '{ noSuchField }']) {
      for (let attempt = 0; attempt < 3; attempt += 1) {
        const answer = await org.client.raw(query);
        expect(answer.errors?.[0]?.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED' });
        expect(answer.data ?? null).toBeNull();
      }
    }
  });

  it('are client errors: a negative page size names its argument, and none is logged as an error', async () => {
    const negative = await org.client.raw('{ awards(first: -1) { totalCount } }');
    expect(negative.errors?.[0]).toMatchObject({ message: expect.stringMatching(/"first".*non-negative/), extensions: { code: 'BAD_USER_INPUT' } });
    const logged = logLines.map((line) => JSON.parse(line) as { level: number });
    expect(logged.filter((line) => line.level >= 50)).toEqual([]);
  });
});
