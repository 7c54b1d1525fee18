import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ActivateTemplateDocument,
  ArchiveTemplateDocument,
  CreateTemplateDocument,
  IssueAwardDocument,
  TemplateDocument,
  TemplatesDocument,
  UpdateTemplateDocument,
} from './generated/graphql.js';
import { startServer, type TestOrganization, type TestServer } from './helpers/server.js';

let server: TestServer;
let org: TestOrganization;

beforeAll(async () => {
  server = await startServer();
  org = await server.createOrganization('Acme Academy');
});
afterAll(() => server?.stop());

describe('badge template lifecycle', () => {
  it('goes draft → active → new version → archived, and awards keep their version', async () => {
    const { createBadgeTemplate } = await org.client.data(CreateTemplateDocument, {
      input: {
        name: 'TypeScript Fundamentals',
        description: 'Knows the type system.',
        criteriaNarrative: 'Pass the exam.',
        criteriaUrl: 'https://acme.example/criteria',
        imageUrl: 'https://acme.example/ts.png',
        imageHighResolutionUrl: 'https://acme.example/ts@2x.png',
        imageThumbnailUrl: 'https://acme.example/ts-thumb.png',
        tags: ['TypeScript', 'typescript', 'Types'],
        level: 'BRONZE',
        validityDays: 365,
      },
    });
    const draft = createBadgeTemplate.badgeTemplate;
    expect(draft).toMatchObject({
      name: 'TypeScript Fundamentals',
      state: 'DRAFT',
      version: 1,
      awardMode: 'ONCE',
      level: 'BRONZE',
      validityDays: 365,
      tags: ['TypeScript', 'Types'],
      activatedAt: null,
    });

    // Drafts cannot issue.
    const refused = await org.client.error(IssueAwardDocument, {
      input: { templateId: draft.id, recipient: { email: 'ada@example.com', name: 'Ada Lovelace' } },
    });
    expect(refused.extensions).toMatchObject({ code: 'CONFLICT', field: 'templateId', rule: 'templateActive' });

    // Editing a never-activated draft changes version 1 in place.
    const edited = await org.client.data(UpdateTemplateDocument, { input: { id: draft.id, description: 'Knows TS well.' } });
    expect(edited.updateBadgeTemplate).toMatchObject({ newVersionCreated: false, badgeTemplate: { version: 1 } });

    const activated = await org.client.data(ActivateTemplateDocument, { id: draft.id });
    expect(activated.activateBadgeTemplate.badgeTemplate.state).toBe('ACTIVE');
    expect(activated.activateBadgeTemplate.badgeTemplate.activatedAt).not.toBeNull();

    const { issueAward } = await org.client.data(IssueAwardDocument, {
      input: { templateId: draft.id, recipient: { email: 'ada@example.com', name: 'Ada Lovelace' } },
    });
    expect(issueAward.award.templateVersion).toMatchObject({ version: 1, name: 'TypeScript Fundamentals' });

    // A policy change makes no version; a content change does.
    const policy = await org.client.data(UpdateTemplateDocument, { input: { id: draft.id, validityDays: 30 } });
    expect(policy.updateBadgeTemplate).toMatchObject({ newVersionCreated: false, badgeTemplate: { version: 1, validityDays: 30 } });
    const renamed = await org.client.data(UpdateTemplateDocument, {
      input: { id: draft.id, name: 'TypeScript Essentials', tags: ['TS'], level: 'SILVER' },
    });
    expect(renamed.updateBadgeTemplate).toMatchObject({
      newVersionCreated: true,
      badgeTemplate: { version: 2, name: 'TypeScript Essentials', tags: ['TS'], level: 'SILVER' },
    });
    // An update that changes nothing makes no version.
    const same = await org.client.data(UpdateTemplateDocument, { input: { id: draft.id, name: 'TypeScript Essentials' } });
    expect(same.updateBadgeTemplate).toMatchObject({ newVersionCreated: false, badgeTemplate: { version: 2 } });

    const { badgeTemplate } = await org.client.data(TemplateDocument, { id: draft.id });
    expect(badgeTemplate?.versions.totalCount).toBe(2);
    expect(badgeTemplate?.versions.edges.map((edge) => [edge.node.version, edge.node.name, edge.node.tags, edge.node.level])).toEqual([
      [2, 'TypeScript Essentials', ['TS'], 'SILVER'],
      [1, 'TypeScript Fundamentals', ['TypeScript', 'Types'], 'BRONZE'],
    ]);

    // The earlier award still shows version 1; a new one gets version 2.
    const second = await org.client.data(IssueAwardDocument, {
      input: { templateId: draft.id, recipient: { email: 'grace@example.com', name: 'Grace Hopper' } },
    });
    expect(second.issueAward.award.templateVersion).toMatchObject({ version: 2, name: 'TypeScript Essentials' });

    const archived = await org.client.data(ArchiveTemplateDocument, { id: draft.id });
    expect(archived.archiveBadgeTemplate.badgeTemplate).toMatchObject({ state: 'ARCHIVED' });
    expect(archived.archiveBadgeTemplate.badgeTemplate.archivedAt).not.toBeNull();

    const afterArchive = await org.client.error(IssueAwardDocument, {
      input: { templateId: draft.id, recipient: { email: 'alan@example.com', name: 'Alan Turing' } },
    });
    expect(afterArchive.extensions).toMatchObject({ code: 'CONFLICT', rule: 'templateActive' });
    const editArchived = await org.client.error(UpdateTemplateDocument, { input: { id: draft.id, name: 'Nope' } });
    expect(editArchived.extensions).toMatchObject({ code: 'CONFLICT', rule: 'notArchived' });
    const archiveTwice = await org.client.error(ArchiveTemplateDocument, { id: draft.id });
    expect(archiveTwice.extensions).toMatchObject({ code: 'CONFLICT', state: 'ARCHIVED' });

    // Archived templates can be activated again, keeping their first activation date.
    const reactivated = await org.client.data(ActivateTemplateDocument, { id: draft.id });
    expect(reactivated.activateBadgeTemplate.badgeTemplate).toMatchObject({
      state: 'ACTIVE',
      archivedAt: null,
      activatedAt: activated.activateBadgeTemplate.badgeTemplate.activatedAt,
    });
  });

  it('fixes the award mode once a template has issued', async () => {
    const { createBadgeTemplate } = await org.client.data(CreateTemplateDocument, {
      input: { name: 'Helper', description: 'Helps.', activate: true, awardMode: 'REPEATABLE' },
    });
    const id = createBadgeTemplate.badgeTemplate.id;
    await org.client.data(UpdateTemplateDocument, { input: { id, awardMode: 'ONCE' } });
    await org.client.data(IssueAwardDocument, { input: { templateId: id, recipient: { email: 'x1@example.com', name: 'Xavier One' } } });
    const error = await org.client.error(UpdateTemplateDocument, { input: { id, awardMode: 'REPEATABLE' } });
    expect(error.extensions).toMatchObject({ code: 'CONFLICT', field: 'awardMode', rule: 'immutableAfterIssue' });
  });
});

describe('badge template list', () => {
  it('filters by state, level, tag and text, and pages through results', async () => {
    const other = await server.createOrganization();
    const names = ['Alpha Python', 'Beta Python', 'Gamma Rust', 'Delta Go', 'Epsilon Python'];
    for (const [index, name] of names.entries()) {
      await other.client.data(CreateTemplateDocument, {
        input: {
          name,
          description: `About ${name.split(' ')[1]}.`,
          tags: [name.split(' ')[1]!, 'Code'],
          level: index % 2 === 0 ? 'GOLD' : 'SILVER',
          activate: index < 3,
        },
      });
    }
    const all = await other.client.data(TemplatesDocument, {});
    expect(all.badgeTemplates.totalCount).toBe(5);
    expect(all.badgeTemplates.edges.map((edge) => edge.node.name)).toEqual([...names].reverse());

    const active = await other.client.data(TemplatesDocument, { filter: { states: ['ACTIVE'] } });
    expect(active.badgeTemplates.edges.map((edge) => edge.node.name).sort()).toEqual(['Alpha Python', 'Beta Python', 'Gamma Rust']);

    const gold = await other.client.data(TemplatesDocument, { filter: { levels: ['GOLD'] }, orderBy: 'NAME_ASC' });
    expect(gold.badgeTemplates.edges.map((edge) => edge.node.name)).toEqual(['Alpha Python', 'Epsilon Python', 'Gamma Rust']);

    const python = await other.client.data(TemplatesDocument, { filter: { tag: 'PYTHON' } });
    expect(python.badgeTemplates.totalCount).toBe(3);

    const text = await other.client.data(TemplatesDocument, { filter: { search: 'about RUST', states: ['ACTIVE'] } });
    expect(text.badgeTemplates.edges.map((edge) => edge.node.name)).toEqual(['Gamma Rust']);

    const pages: string[] = [];
    let after: string | null | undefined;
    do {
      const page = await other.client.data(TemplatesDocument, { first: 2, after, orderBy: 'NAME_ASC' });
      pages.push(page.badgeTemplates.edges.map((edge) => edge.node.name).join(','));
      after = page.badgeTemplates.pageInfo.hasNextPage ? page.badgeTemplates.pageInfo.endCursor : undefined;
    } while (after);
    expect(pages).toEqual(['Alpha Python,Beta Python', 'Delta Go,Epsilon Python', 'Gamma Rust']);
  });
});
