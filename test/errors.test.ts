// An error nobody planned for reaches the client as a generic message, and the log in full.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TemplatesDocument } from './generated/graphql.js';
import { createActiveTemplate } from './helpers/fixtures.js';
import { startServer, type TestOrganization, type TestServer } from './helpers/server.js';

let server: TestServer;
let org: TestOrganization;
const logLines: string[] = [];

beforeAll(async () => {
  server = await startServer({ RESPONSE_CACHE_TTL_SECONDS: '0' }, { logLines });
  org = await server.createOrganization();
  await createActiveTemplate(org.client, { tags: ['one'] });
});
afterAll(() => server?.stop());

describe('unexpected errors', () => {
  it('are masked to the client and logged with their cause', async () => {
    // Break the database under the running server: the tags table disappears.
    await server.app.deps.db.$executeRawUnsafe('DROP TABLE "BadgeTemplateTag"');
    const result = await org.client.request(TemplatesDocument, {});
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0]).toMatchObject({ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(JSON.stringify(result)).not.toMatch(/BadgeTemplateTag|prisma|SELECT/i);

    const logged = logLines.map((line) => JSON.parse(line) as { level: number; msg: string; err?: { message: string; stack: string } });
    const entry = logged.find((line) => line.msg === 'unexpected error while executing a GraphQL operation');
    expect(entry?.level).toBe(50);
    expect(entry?.err?.message).toMatch(/BadgeTemplateTag/);
    expect(entry?.err?.stack).toBeTruthy();
  });
});
