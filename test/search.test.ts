import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwardsDocument, EarnersDocument, IssueAwardsDocument, type AwardFilter } from './generated/graphql.js';
import { createActiveTemplate } from './helpers/fixtures.js';
import { startServer, type TestOrganization, type TestServer } from './helpers/server.js';

let server: TestServer;
let org: TestOrganization;
let templateA: string;
let templateB: string;

const PEOPLE = [
  ['Ångström Åsa', 'asa.angstrom@example.se'],
  ['ÉLODIE Dupont', 'Elodie@Example.fr'],
  ['Jean-Luc Picard', 'jl_picard@starfleet.example'],
  ['Giving 100% Always', 'percent@example.com'],
  ['Zoë Washburne', 'zoe@serenity.example'],
] as const;

beforeAll(async () => {
  server = await startServer();
  org = await server.createOrganization();
  templateA = (await createActiveTemplate(org.client, { awardMode: 'REPEATABLE' })).id;
  templateB = (await createActiveTemplate(org.client, { awardMode: 'REPEATABLE' })).id;
  // 130 awards: the named people on template A, numbered fillers spread over both templates and days.
  const awards = [
    ...PEOPLE.map(([name, email], index) => ({
      templateId: templateA,
      recipient: { name, email },
      issuedAt: `2025-02-0${index + 1}`,
    })),
    ...Array.from({ length: 125 }, (_, index) => ({
      templateId: index % 2 ? templateA : templateB,
      recipient: { name: `Filler Person ${String(index).padStart(3, '0')}`, email: `filler${index}@example.com` },
      issuedAt: new Date(Date.UTC(2025, 0, 1) + index * 3_600_000).toISOString(),
    })),
  ];
  await org.client.data(IssueAwardsDocument, { input: { awards } });
});
afterAll(() => server?.stop());

async function names(filter: AwardFilter) {
  const { awards } = await org.client.data(AwardsDocument, { filter, first: 100 });
  return awards.edges.map((edge) => edge.node.recipientName).sort();
}

describe('awards search', () => {
  it('finds names case-insensitively, accents included, on both databases', async () => {
    expect(await names({ search: 'ångström' })).toEqual(['Ångström Åsa']);
    expect(await names({ search: 'ÅSA' })).toEqual(['Ångström Åsa']);
    expect(await names({ search: 'élodie' })).toEqual(['ÉLODIE Dupont']);
    expect(await names({ search: 'ZOË' })).toEqual(['Zoë Washburne']);
    expect(await names({ search: 'luc pic' })).toEqual(['Jean-Luc Picard']);
  });

  it('searches emails when searchField is EMAIL, and only then', async () => {
    expect(await names({ search: 'EXAMPLE.FR', searchField: 'EMAIL' })).toEqual(['ÉLODIE Dupont']);
    expect(await names({ search: 'example.fr' })).toEqual([]);
    expect(await names({ search: 'dupont', searchField: 'EMAIL' })).toEqual([]);
  });

  it('treats LIKE wildcards in the search text literally', async () => {
    expect(await names({ search: '0%' })).toEqual(['Giving 100% Always']);
    expect(await names({ search: '%' })).toEqual(['Giving 100% Always']);
    expect(await names({ search: 'jl_', searchField: 'EMAIL' })).toEqual(['Jean-Luc Picard']);
    expect(await names({ search: 'j_', searchField: 'EMAIL' })).toEqual([]); // a wildcard '_' would match "jl"
  });

  it('combines template, earner, date and status filters', async () => {
    const { awards } = await org.client.data(AwardsDocument, {
      filter: { templateId: templateA, issuedAfter: '2025-02-02', issuedBefore: '2025-02-04' },
    });
    expect(awards.edges.map((edge) => edge.node.recipientName)).toEqual(['Jean-Luc Picard', 'ÉLODIE Dupont']);
    const earnerId = awards.edges[0]!.node.earner.id;
    const byEarner = await org.client.data(AwardsDocument, { filter: { earnerId } });
    expect(byEarner.awards.totalCount).toBe(1);
    const pending = await org.client.data(AwardsDocument, { filter: { templateId: templateB, statuses: ['PENDING'] } });
    expect(pending.awards.totalCount).toBe(63);
    const accepted = await org.client.data(AwardsDocument, { filter: { statuses: ['ACCEPTED', 'REVOKED'] } });
    expect(accepted.awards.totalCount).toBe(0);
  });
});

describe('pagination', () => {
  it('walks every award forwards in pages of 50, then backwards, with a stable total', async () => {
    const seen: string[] = [];
    let after: string | null | undefined;
    let pages = 0;
    do {
      const { awards } = await org.client.data(AwardsDocument, { first: 50, after });
      expect(awards.totalCount).toBe(130);
      seen.push(...awards.edges.map((edge) => edge.node.id));
      after = awards.pageInfo.hasNextPage ? awards.pageInfo.endCursor : undefined;
      pages += 1;
    } while (after);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(130);

    // Default order is by issue date, newest first.
    const issued = (await org.client.data(AwardsDocument, { first: 100 })).awards.edges.map((edge) => edge.node.issuedAt);
    expect([...issued].sort().reverse()).toEqual(issued);

    const back: string[] = [];
    let before: string | null | undefined;
    do {
      const { awards } = await org.client.data(AwardsDocument, { last: 50, before });
      back.unshift(...awards.edges.map((edge) => edge.node.id));
      before = awards.pageInfo.hasPreviousPage ? awards.pageInfo.startCursor : undefined;
    } while (before);
    expect(back).toEqual(seen);
  });

  it('uses 50 as the default page size and pages search results too', async () => {
    const { awards } = await org.client.data(AwardsDocument, {});
    expect(awards.edges).toHaveLength(50);
    expect(awards.pageInfo.hasNextPage).toBe(true);

    const first = await org.client.data(AwardsDocument, { filter: { search: 'filler person' }, first: 100 });
    expect(first.awards.totalCount).toBe(125);
    const second = await org.client.data(AwardsDocument, {
      filter: { search: 'filler person' },
      first: 100,
      after: first.awards.pageInfo.endCursor,
    });
    expect(second.awards.edges).toHaveLength(25);
    expect(second.awards.pageInfo.hasNextPage).toBe(false);
  });

  it('orders by recipient name across pages', async () => {
    const firstPage = await org.client.data(AwardsDocument, { orderBy: 'RECIPIENT_NAME_ASC', first: 3 });
    const secondPage = await org.client.data(AwardsDocument, {
      orderBy: 'RECIPIENT_NAME_ASC',
      first: 3,
      after: firstPage.awards.pageInfo.endCursor,
    });
    expect([...firstPage.awards.edges, ...secondPage.awards.edges].map((edge) => edge.node.recipientName)).toEqual([
      'Filler Person 000',
      'Filler Person 001',
      'Filler Person 002',
      'Filler Person 003',
      'Filler Person 004',
      'Filler Person 005',
    ]);
  });
});

describe('earners search', () => {
  it('matches name or email, case-insensitively, across pages', async () => {
    const { earners } = await org.client.data(EarnersDocument, { search: 'SERENITY' });
    expect(earners.edges.map((edge) => edge.node.name)).toEqual(['Zoë Washburne']);
    const fillers = await org.client.data(EarnersDocument, { search: 'filler', first: 100 });
    expect(fillers.earners.totalCount).toBe(125);
    const rest = await org.client.data(EarnersDocument, { search: 'filler', first: 100, after: fillers.earners.pageInfo.endCursor });
    expect(rest.earners.edges).toHaveLength(25);
  });
});
