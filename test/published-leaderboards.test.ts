// Leaderboard screens: an organization publishes a board at an unguessable address; anyone with it
// sees that board's top (names or initials and scores only) live, without a key, until it is
// unpublished, which stops open screens at once.
import { HtmlValidate } from 'html-validate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AddPointsDocument,
  CreateApiKeyDocument,
  PublishedLeaderboardsDocument,
  PublishLeaderboardDocument,
  UnpublishLeaderboardDocument,
} from './generated/graphql.js';
import { GraphQLClient } from './helpers/client.js';
import { createActiveTemplate } from './helpers/fixtures.js';
import { startServer, type TestOrganization, type TestServer } from './helpers/server.js';

let server: TestServer;
let org: TestOrganization;
let other: TestOrganization;

interface Screen {
  title: string;
  published: boolean;
  entries: Array<{ key: string; position: number; rank: number; name: string; score: number }>;
}

beforeAll(async () => {
  server = await startServer({ LEADERBOARD_UPDATE_SECONDS: '0.05' });
  org = await server.createOrganization('Screen Guild');
  other = await server.createOrganization('Other Guild');
});
afterAll(() => server?.stop());

async function points(client: GraphQLClient, email: string, name: string, amount: number, category = 'screen') {
  await client.data(AddPointsDocument, { input: { earner: { email, name }, category, amount } });
}

/** The screen's stream over Server-Sent Events, without a key, read one state at a time. */
function watch(publicId: string) {
  const controller = new AbortController();
  const states: Array<Screen | { error: string }> = [];
  let ended = false;
  const waiters: Array<() => void> = [];
  void (async () => {
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({
        query: 'subscription ($id: String!) { leaderboardScreen(publicId: $id) { title published entries { key position rank name score } } }',
        variables: { id: publicId },
      }),
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    let buffer = '';
    try {
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
        buffer += new TextDecoder().decode(chunk.value);
        const blocks = buffer.split('\n\n');
        buffer = blocks.pop()!;
        for (const block of blocks) {
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (!block.includes('event: next') || !data) continue;
          const result = JSON.parse(data) as { data?: { leaderboardScreen: Screen }; errors?: Array<{ extensions?: { code?: string } }> };
          states.push(result.data?.leaderboardScreen ?? { error: result.errors?.[0]?.extensions?.code ?? 'unknown' });
          waiters.splice(0).forEach((wake) => wake());
        }
      }
    } catch {
      // aborted
    }
    ended = true;
    waiters.splice(0).forEach((wake) => wake());
  })();
  return {
    states,
    get ended() {
      return ended;
    },
    async until(check: (state: Screen | { error: string }) => boolean, timeoutMs = 5_000): Promise<Screen | { error: string }> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = states.find(check);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no such state in ${JSON.stringify(states)}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 100);
        });
      }
    },
    close: () => controller.abort(),
  };
}

describe('published leaderboards', () => {
  it('show the board’s top live without a key, and stop at once when unpublished', async () => {
    await points(org.client, 'ada@example.com', 'Ada Lovelace', 50);
    await points(org.client, 'alan@example.com', 'Alan Turing', 30);
    const { publishLeaderboard } = await org.client.data(PublishLeaderboardDocument, {
      input: { board: { metric: 'POINTS', category: 'screen' }, title: 'Top <Testers>', first: 5 },
    });
    expect(publishLeaderboard.publicId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(publishLeaderboard.url).toBe(`${server.app.deps.config.publicUrl}/boards/${publishLeaderboard.publicId}`);

    const page = await fetch(`${server.url}/boards/${publishLeaderboard.publicId}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<h1>Top &lt;Testers&gt;</h1>');
    const report = await new HtmlValidate({ extends: ['html-validate:standard'] }).validateString(html);
    expect(report.results.flatMap((result) => result.messages.map((message) => message.message))).toEqual([]);
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'self'");
    expect((await fetch(`${server.url}/assets/board-screen.js`)).status).toBe(200);

    const screen = watch(publishLeaderboard.publicId);
    const first = (await screen.until((state) => 'entries' in state && state.entries.length === 2)) as Screen;
    expect(first.entries.map(({ name, score, rank }) => ({ name, score, rank }))).toEqual([
      { name: 'Ada Lovelace', score: 50, rank: 1 },
      { name: 'Alan Turing', score: 30, rank: 2 },
    ]);
    // Nothing but names and scores: no ids, no email addresses.
    expect(JSON.stringify(screen.states)).not.toMatch(/@example\.com|"id"/);

    // Points arrive: the screen moves.
    await points(org.client, 'alan@example.com', 'Alan Turing', 40);
    const moved = (await screen.until((state) => 'entries' in state && state.entries[0]?.name === 'Alan Turing')) as Screen;
    expect(moved.entries[0]).toMatchObject({ score: 70, rank: 1 });
    expect(moved.entries[0]!.key).toBe(first.entries[1]!.key);

    await org.client.data(UnpublishLeaderboardDocument, { publicId: publishLeaderboard.publicId });
    await screen.until((state) => 'published' in state && !state.published);
    await expect.poll(() => screen.ended, { timeout: 5_000 }).toBe(true);
    expect((await fetch(`${server.url}/boards/${publishLeaderboard.publicId}`)).status).toBe(404);
    const late = watch(publishLeaderboard.publicId);
    expect(await late.until((state) => 'error' in state)).toEqual({ error: 'NOT_FOUND' });
    late.close();
  });

  it('can show initials only', async () => {
    await points(org.client, 'grace@example.com', 'Grace Brewster Hopper', 10, 'initials');
    const { publishLeaderboard } = await org.client.data(PublishLeaderboardDocument, {
      input: { board: { metric: 'POINTS', category: 'initials' }, title: 'Initials', initialsOnly: true },
    });
    const screen = watch(publishLeaderboard.publicId);
    const state = (await screen.until((value) => 'entries' in value && value.entries.length > 0)) as Screen;
    expect(state.entries[0]!.name).toBe('G. B. H.');
    screen.close();
  });

  it('refuse bad input by field and rule, and need organization:write', async () => {
    const blank = await org.client.error(PublishLeaderboardDocument, { input: { board: { metric: 'POINTS' }, title: '   ' } });
    expect(blank.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'title' });
    const tooMany = await org.client.error(PublishLeaderboardDocument, { input: { board: { metric: 'POINTS' }, title: 'Big', first: 101 } });
    expect(tooMany.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    const { createApiKey } = await org.client.data(CreateApiKeyDocument, { input: { name: 'Reader', permissions: ['READ'] } });
    const reader = new GraphQLClient(server.url, { 'x-api-key': createApiKey.secret });
    expect((await reader.error(PublishLeaderboardDocument, { input: { board: { metric: 'POINTS' }, title: 'No' } })).extensions?.code).toBe('FORBIDDEN');
    expect((await server.anonymous.error(PublishLeaderboardDocument, { input: { board: { metric: 'POINTS' }, title: 'No' } })).extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('belong to their organization only', async () => {
    const template = await createActiveTemplate(org.client);
    const { publishLeaderboard } = await org.client.data(PublishLeaderboardDocument, {
      input: { board: { metric: 'AWARDS', templateId: template.id }, title: 'Ours' },
    });
    // Another organization cannot see, unpublish, or publish a board on this one's template.
    const theirs = await other.client.data(PublishedLeaderboardsDocument);
    expect(theirs.publishedLeaderboards.map((board) => board.publicId)).not.toContain(publishLeaderboard.publicId);
    expect((await other.client.error(UnpublishLeaderboardDocument, { publicId: publishLeaderboard.publicId })).extensions?.code).toBe('NOT_FOUND');
    const foreign = await other.client.error(PublishLeaderboardDocument, { input: { board: { metric: 'AWARDS', templateId: template.id }, title: 'Spy' } });
    expect(foreign.extensions?.code).toBe('NOT_FOUND');
    const ours = await org.client.data(PublishedLeaderboardsDocument);
    expect(ours.publishedLeaderboards.find((board) => board.publicId === publishLeaderboard.publicId)?.unpublishedAt).toBeNull();
  });
});
