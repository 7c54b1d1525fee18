import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwardsCsvDocument, RevokeAwardDocument, type AwardsCsvQuery } from './generated/graphql.js';
import { createActiveTemplate, issue } from './helpers/fixtures.js';
import { startServer, type TestOrganization, type TestServer } from './helpers/server.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const HEADER = [
  'template_id',
  'template_name',
  'recipient_email',
  'recipient_name',
  'recipient_first_name',
  'recipient_last_name',
  'recipient_external_id',
  'issued_at',
  'expires_at',
  'activity_title',
  'activity_started_at',
  'activity_ended_at',
  'notes',
  'evidence_url',
  'legacy_id',
  'status',
];

let server: TestServer;
let org: TestOrganization;
let other: TestOrganization;
let directory: string;
const templates: Record<string, string> = {};
const awards: Record<string, string> = {};

beforeAll(async () => {
  server = await startServer();
  org = await server.createOrganization('Exporting Guild');
  other = await server.createOrganization('Other Guild');
  directory = await mkdtemp(path.join(os.tmpdir(), 'exports-'));
  templates.writer = (await createActiveTemplate(org.client, { name: 'Writer, "first" class' })).id;
  templates.speaker = (await createActiveTemplate(org.client, { name: 'Speaker', validityDays: 365 })).id;
  // Oldest first, so the export's order is the order of this list.
  awards.ada = (
    await issue(org.client, templates.writer, 'ada@example.com', {
      issuedAt: '2024-01-02T03:04:05.000Z',
      expiresAt: null,
      recipient: { email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace', externalId: 'crm-1' },
      notes: 'Line one,\nline "two"',
      activityTitle: 'Essay, long form',
      activityStartedAt: '2023-12-01T00:00:00.000Z',
      activityEndedAt: '2023-12-20T00:00:00.000Z',
      evidence: [{ url: 'https://portfolio.example/ada/1' }, { url: 'https://portfolio.example/ada/2', name: 'Second' }],
      accepted: true,
    })
  ).award.id;
  awards.bob = (await issue(org.client, templates.speaker, 'bob@example.com', { issuedAt: '2024-02-01T00:00:00.000Z', legacyId: 'credly-77' })).award.id;
  awards.cy = (await issue(org.client, templates.speaker, 'cy@example.com', { issuedAt: '2024-03-01T00:00:00.000Z' })).award.id;
  await org.client.data(RevokeAwardDocument, { id: awards.cy, reason: 'Issued by mistake.' });
  // Another organization's award never shows in this one's export.
  await issue(other.client, (await createActiveTemplate(other.client)).id, 'ada@example.com', { issuedAt: '2024-01-01T00:00:00.000Z' });
});

afterAll(async () => {
  await server?.stop();
  if (directory) await rm(directory, { recursive: true, force: true });
});

/** Every page of the export, following the cursors. */
async function exported(variables: { filter?: Record<string, unknown>; first?: number } = {}): Promise<Array<AwardsCsvQuery['awardsCsv']>> {
  const pages: Array<AwardsCsvQuery['awardsCsv']> = [];
  let after: string | null | undefined;
  do {
    const { awardsCsv } = await org.client.data(AwardsCsvDocument, { ...variables, after });
    pages.push(awardsCsv);
    after = awardsCsv.nextCursor;
  } while (after);
  return pages;
}

const rowsOf = (csv: string) => parse<Record<string, string>>(csv, { columns: true, bom: true });

describe('the awards export', () => {
  it('gives the organization’s awards as CSV pages, oldest first, with every column an import reads', async () => {
    const pieces = await exported({ first: 2 });
    expect(pieces.map(({ rows, nextCursor }) => ({ rows, last: nextCursor === null }))).toEqual([
      { rows: 2, last: false },
      { rows: 1, last: true },
    ]);
    const csv = pieces.map((piece) => piece.csv).join('');
    expect(csv.split('\r\n')[0]).toBe(HEADER.join(','));
    const rows = rowsOf(csv);
    expect(rows.map((row) => row.recipient_email)).toEqual(['ada@example.com', 'bob@example.com', 'cy@example.com']);
    expect(rows[0]).toEqual({
      template_id: templates.writer,
      template_name: 'Writer, "first" class',
      recipient_email: 'ada@example.com',
      recipient_name: 'Ada Lovelace',
      recipient_first_name: 'Ada',
      recipient_last_name: 'Lovelace',
      recipient_external_id: 'crm-1',
      issued_at: '2024-01-02T03:04:05.000Z',
      expires_at: 'never',
      activity_title: 'Essay, long form',
      activity_started_at: '2023-12-01T00:00:00.000Z',
      activity_ended_at: '2023-12-20T00:00:00.000Z',
      notes: 'Line one,\nline "two"',
      evidence_url: 'https://portfolio.example/ada/1 https://portfolio.example/ada/2',
      legacy_id: awards.ada,
      status: 'ACCEPTED',
    });
    // An award brought from elsewhere keeps its id there; one issued here is known by its id here.
    expect(rows[1]).toMatchObject({ legacy_id: 'credly-77', expires_at: '2025-01-31T00:00:00.000Z', status: 'EXPIRED' });
    expect(rows[0]!.legacy_id).not.toBe(rows[1]!.legacy_id);
    expect(rows[2]).toMatchObject({ status: 'REVOKED' });
  });

  it('applies the awards list’s filter, and sends a header alone when nothing matches', async () => {
    const speakers = rowsOf((await exported({ filter: { templateId: templates.speaker } })).map((piece) => piece.csv).join(''));
    expect(speakers.map((row) => row.recipient_email)).toEqual(['bob@example.com', 'cy@example.com']);
    const revoked = rowsOf((await exported({ filter: { statuses: ['REVOKED'] } })).map((piece) => piece.csv).join(''));
    expect(revoked.map((row) => row.recipient_email)).toEqual(['cy@example.com']);
    const none = await exported({ filter: { issuedAfter: '2030-01-01T00:00:00Z' } });
    expect(none).toEqual([{ csv: `${HEADER.join(',')}\r\n`, rows: 0, nextCursor: null }]);
    // A page that ends exactly at the last award says so: no empty page follows.
    expect((await exported({ first: 3 })).map((page) => page.rows)).toEqual([3]);
  });

  it('refuses a page size out of range and a cursor it did not give, naming the argument and the rule', async () => {
    for (const first of [0, 5001]) {
      expect((await org.client.error(AwardsCsvDocument, { first })).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first', rule: 'range' });
    }
    expect((await org.client.error(AwardsCsvDocument, { after: 'bm90LWEtY3Vyc29y' })).extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'after',
      rule: 'cursor',
    });
  });

  it('never shows another organization’s awards, and its template is NOT_FOUND', async () => {
    const theirs = rowsOf((await other.client.data(AwardsCsvDocument, {})).awardsCsv.csv);
    expect(theirs.map((row) => row.recipient_email)).toEqual(['ada@example.com']);
    expect(theirs[0]!.template_name).not.toBe('Writer, "first" class');
    const refused = await other.client.error(AwardsCsvDocument, { filter: { templateId: templates.writer } });
    expect(refused.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'filter.templateId' });
  });

  it('is written to a file by `npm run export`, the same bytes as the API’s pages', async () => {
    const file = path.join(directory, 'awards.csv');
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/export.ts', file, '--organization', org.id], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: server.databaseUrl, LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number];
    expect(output).toContain('Exported 3 awards of "Exporting Guild"');
    expect(code).toBe(0);
    const paged = (await exported()).map((piece) => piece.csv).join('');
    expect(await readFile(file, 'utf8')).toBe(paged);
  });
});
