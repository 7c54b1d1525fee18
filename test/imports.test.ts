import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  AwardsCsvDocument,
  ImportAwardsDocument,
  ImportedAwardsDocument,
  ImportJobChangedDocument,
  ImportJobDocument,
  ImportJobsDocument,
  RevokeAwardDocument,
  type ImportAwardsInput,
  type ImportJobChangedSubscription,
  type ImportJobFieldsFragment,
} from './generated/graphql.js';
import { createActiveTemplate, issue } from './helpers/fixtures.js';
import { eventually, liveClient, Subscription } from './helpers/live.js';
import { startServer, type TestOrganization, type TestServer } from './helpers/server.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

let server: TestServer;
let org: TestOrganization;
let directory: string;
const templates: Record<string, { id: string; name: string }> = {};

beforeAll(async () => {
  server = await startServer();
  org = await server.createOrganization('Importing Guild');
  directory = await mkdtemp(path.join(os.tmpdir(), 'imports-'));
  templates.writer = await createActiveTemplate(org.client, { name: 'Writer' });
  templates.speaker = await createActiveTemplate(org.client, { name: 'Speaker, "keynote"' });
});

afterAll(async () => {
  await server?.stop();
  if (directory) await rm(directory, { recursive: true, force: true });
});

const csv = (rows: string[][]) => stringify(rows, { record_delimiter: 'windows' });

async function importAwards(client: TestOrganization['client'], input: ImportAwardsInput) {
  return (await client.data(ImportAwardsDocument, { input })).importAwards;
}

async function awardCount(organization: TestOrganization): Promise<number> {
  return (await organization.client.data(ImportedAwardsDocument, {})).awards.totalCount;
}

/** The job once it has ended. */
async function finished(organization: TestOrganization, id: string): Promise<ImportJobFieldsFragment> {
  let job: ImportJobFieldsFragment | null | undefined;
  await eventually(async () => {
    job = (await organization.client.data(ImportJobDocument, { id })).importJob;
    return job?.status === 'SUCCEEDED' || job?.status === 'FAILED';
  }, 30_000);
  return job!;
}

describe('dry run', () => {
  it('reads a UTF-8 file with a byte order mark, quoted fields with commas and line breaks, columns in any order, several templates', async () => {
    const file =
      '\uFEFF' +
      csv([
        ['recipient_email', 'recipient_first_name', 'recipient_last_name', 'template_name', 'notes', 'issued_at'],
        ['ada@example.com', 'Ada', 'Lovelace', 'Writer', 'Line one,\nline "two"', '2024-01-02T03:04:05Z'],
        ['bob@example.com', 'Bob', 'Builder', 'Speaker, "keynote"', '', '2024-02-01'],
      ]) +
      csv([['cy@example.com', 'Cy', 'Young', '', 'multi\r\nline\r\nnote', '']]);
    const result = await importAwards(org.client, { csv: file, dryRun: true, templateId: templates.writer!.id });
    expect(result).toMatchObject({ totalRows: 3, validRows: 3, skippedRows: 0, problems: [], job: null });
    expect(await awardCount(org)).toBe(0);
  });

  it('answers every problem of every row with its line, column and rule, and writes nothing', async () => {
    const file = csv([
      ['template_id', 'template_name', 'recipient_email', 'recipient_name', 'issued_at', 'expires_at', 'activity_started_at', 'activity_ended_at', 'evidence_url', 'status'],
      [templates.writer!.id, '', 'ada@example.com', 'Ada Lovelace', '2024-01-02', '', '', '', '', ''], // line 2: fine
      ['', 'No such badge', 'bob@example.com', 'Bob Builder', 'yesterday', '', '', '', '', ''], // line 3
      [templates.writer!.id, '', 'not-an-email', 'Cy', '2024-01-01T00:00:00+02:00', '', '', '', 'ftp://x', 'LOST'], // line 4
      ['', 'Writer', 'dee@example.com', 'Dee Dee', '2024-05-01', '2024-04-01', '', '', '', ''], // line 5
      ['', 'Writer', 'eve@example.com', 'Eve Eve', '', '', '2024-03-02', '2024-03-01', '', ''], // line 6
      ['', 'Writer', 'fay@example.com', 'Fay Fay', '2999-01-01', '', '', '', '', ''], // line 7
      ['', 'Writer', 'gus@example.com', 'Gus Gus', '', '', '', '', '', 'REVOKED'], // line 8: skipped
    ]);
    const result = await importAwards(org.client, { csv: file, dryRun: true });
    expect(result.totalRows).toBe(7);
    expect(result.validRows).toBe(1);
    expect(result.skippedRows).toBe(1);
    const found = result.problems.map(({ line, column, rule }) => `${line}:${column}:${rule}`);
    // The award's own rules are issueAwards's, with its rule names.
    expect(found).toEqual([
      '3:template_name:exists',
      '3:issued_at:isoDate',
      '4:status:oneOf',
      '4:recipient_email:email',
      '4:recipient_name:minLength',
      '4:evidence_url:url',
      '5:expires_at:after:issuedAt',
      '6:activity_ended_at:notBefore:activityStartedAt',
      '7:issued_at:notInFuture',
    ]);
    for (const problem of result.problems) expect(problem.message).not.toBe('');
    expect(await awardCount(org)).toBe(0);
  });

  it('refuses an unknown column and missing required columns, naming them; a real run of such a file queues nothing', async () => {
    const unknown = await importAwards(org.client, { csv: csv([['recipient_email', 'recipient_name', 'template_name', 'shoe_size'], ['a@example.com', 'Ann Annson', 'Writer', '42']]), dryRun: true });
    expect(unknown.problems).toEqual([expect.objectContaining({ line: 1, column: 'shoe_size', rule: 'knownColumn' })]);
    const missing = await importAwards(org.client, { csv: csv([['recipient_first_name'], ['Ann']]), dryRun: true });
    expect(missing.problems.map(({ line, column, rule }) => ({ line, column, rule }))).toEqual([
      { line: 1, column: 'recipient_email', rule: 'requiredColumn' },
      { line: 1, column: 'recipient_name', rule: 'requiredColumn' },
      { line: 1, column: 'template_id', rule: 'requiredColumn' },
    ]);
    const broken = await importAwards(org.client, { csv: 'recipient_email,recipient_name,template_name\r\na@example.com,"Ann Annson,Writer\r\n', dryRun: true });
    expect(broken.problems).toEqual([expect.objectContaining({ column: null, rule: 'csv' })]);
    const ragged = await importAwards(org.client, { csv: 'recipient_email,recipient_name,template_name\r\na@example.com,Ann Annson\r\n', dryRun: true });
    expect(ragged.problems).toEqual([expect.objectContaining({ line: 2, rule: 'csv' })]);

    const refused = await org.client.error(ImportAwardsDocument, { input: { csv: csv([['recipient_email', 'shoe_size'], ['a@example.com', '42']]) } });
    expect(refused.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'csv', rule: 'knownColumn' });
    expect(refused.message).toContain('line 1, column shoe_size');
    expect((await org.client.data(ImportJobsDocument, {})).importJobs.totalCount).toBe(0);
    expect(await awardCount(org)).toBe(0);
  });
});

describe('import job', () => {
  const ROWS = 1_200;
  const file = csv([
    ['template_name', 'recipient_email', 'recipient_name', 'issued_at', 'legacy_id', 'status'],
    ...Array.from({ length: ROWS }, (_, index) => [
      index % 2 ? 'Writer' : 'Speaker, "keynote"',
      `person${index}@example.com`,
      `Person Number ${index}`,
      '2024-06-01T00:00:00.000Z',
      `old-${index}`,
      index === 7 ? 'REVOKED' : 'ACCEPTED',
    ]),
    // A row that fails, and one repeating the first row.
    ['Writer', 'broken', 'Broken Row', '2024-06-01T00:00:00.000Z', '', ''],
    ['Speaker, "keynote"', 'person0@example.com', 'Person Number 0', '2024-06-01T00:00:00.000Z', 'old-0', 'ACCEPTED'],
  ]);

  it('issues the file in batches to SUCCEEDED with its counts, its progress pushed on the subscription', async () => {
    const socket = liveClient(server.url, { apiKey: org.apiKey });
    try {
      const joined = server.app.subscriptions.stats.joined;
      const progress = new Subscription(socket.client, ImportJobChangedDocument, {});
      await eventually(() => server.app.subscriptions.stats.joined > joined);

      const { job } = await importAwards(org.client, { csv: file, fileName: 'people.csv' });
      expect(job).toMatchObject({ status: 'QUEUED', fileName: 'people.csv', totalRows: ROWS + 2, rowsDone: 0 });
      const events: Array<ImportJobChangedSubscription['importJobChanged']> = [];
      while (events.at(-1)?.status !== 'SUCCEEDED') events.push((await progress.data(30_000)).importJobChanged);
      expect(events[0]!.status).toBe('QUEUED');
      expect(events.map((event) => event.status)).toContain('RUNNING');
      const done = events.map((event) => event.job.rowsDone);
      expect(done).toEqual([...done].sort((x, y) => x - y));
      expect(new Set(done).size).toBeGreaterThanOrEqual(3);
      progress.dispose();
    } finally {
      await socket.client.dispose();
    }
    const [job] = (await org.client.data(ImportJobsDocument, {})).importJobs.edges.map((edge) => edge.node);
    expect(job).toMatchObject({ status: 'SUCCEEDED', totalRows: ROWS + 2, rowsDone: ROWS + 2, issued: ROWS - 1, skipped: 2, failed: 1, error: null });
    expect(job!.problems.map(({ line, column, rule }) => ({ line, column, rule }))).toEqual([
      { line: 9, column: 'status', rule: 'notImported' },
      { line: ROWS + 2, column: 'recipient_email', rule: 'email' },
      { line: ROWS + 3, column: null, rule: 'repeatedRow' },
    ]);
    expect(await awardCount(org)).toBe(ROWS - 1);
    const { awards } = await org.client.data(ImportedAwardsDocument, { filter: { legacyId: 'old-0' } });
    expect(awards.edges.map((edge) => edge.node)).toMatchObject([{ status: 'ACCEPTED', legacyId: 'old-0', template: { name: 'Speaker, "keynote"' } }]);
  });

  it('issues nothing twice when the same file (or the same rows in another file) comes again', async () => {
    const { job } = await importAwards(org.client, { csv: file, fileName: 'again.csv' });
    expect(await finished(org, job!.id)).toMatchObject({ status: 'SUCCEEDED', issued: 0, skipped: ROWS + 1, failed: 1 });
    // The same content with the columns in another order is the same award.
    const reordered = csv([
      ['recipient_name', 'recipient_email', 'template_name', 'legacy_id', 'issued_at', 'status'],
      ['Person Number 1', 'person1@example.com', 'Writer', 'old-1', '2024-06-01T00:00:00.000Z', 'ACCEPTED'],
      ['Person Number 5000', 'person5000@example.com', 'Writer', 'old-5000', '2024-06-01T00:00:00.000Z', 'ACCEPTED'],
    ]);
    // A dry run of it already tells the row imported before from the new one.
    expect(await importAwards(org.client, { csv: reordered, dryRun: true })).toMatchObject({ totalRows: 2, validRows: 1, skippedRows: 1 });
    const other = (await importAwards(org.client, { csv: reordered })).job!;
    expect(await finished(org, other.id)).toMatchObject({ status: 'SUCCEEDED', issued: 1, skipped: 1, failed: 0 });
    expect(await awardCount(org)).toBe(ROWS);
  });
});

// SQLite plans without collected statistics: this part is PostgreSQL's alone.
if (inject('templateDatabase').provider === 'postgresql') describe('statistics on PostgreSQL', () => {
  const analyzeCounts = async () => {
    const rows = await server.app.deps.db.$queryRaw<Array<{ table: string; count: bigint }>>`
      SELECT relname AS "table", analyze_count AS "count" FROM pg_stat_user_tables WHERE relname IN ('Award', 'Earner')`;
    return Object.fromEntries(rows.map((row) => [row.table, Number(row.count)]));
  };

  it('analyzes Award and Earner between batches once an import has more than doubled them', async () => {
    const growing = await server.createOrganization('Growing Guild');
    await createActiveTemplate(growing.client, { name: 'Writer' });
    const before = await analyzeCounts();
    const rows = 2_500;
    const file = csv([
      ['template_name', 'recipient_email', 'recipient_name'],
      ...Array.from({ length: rows }, (_, index) => ['Writer', `grower${index}@example.com`, `Grower Number ${index}`]),
    ]);
    const { job } = await importAwards(growing.client, { csv: file });
    expect(await finished(growing, job!.id)).toMatchObject({ status: 'SUCCEEDED', issued: rows });
    // Autovacuum's analyses count elsewhere (autoanalyze_count): these are the import's own.
    const after = await analyzeCounts();
    expect(after.Award).toBeGreaterThan(before.Award ?? 0);
    expect(after.Earner).toBeGreaterThan(before.Earner ?? 0);
  });
});

describe('a crashed import', () => {
  it('is taken over once its claim lapses and goes on after its cursor', async () => {
    const owner = await server.createOrganization('Resumed import');
    await createActiveTemplate(owner.client, { name: 'Resumed' });
    const ROWS = 1_200;
    const file = csv([['template_name', 'recipient_email', 'recipient_name'], ...Array.from({ length: ROWS }, (_, index) => ['Resumed', `r${index}@example.com`, `Resumed ${index}`])]);
    // What a crashed instance leaves: a RUNNING job, claimed until a moment now past, one batch counted.
    const job = await server.app.deps.db.importJob.create({
      data: {
        organizationId: owner.id,
        status: 'RUNNING',
        claimedBy: 'crashed-instance',
        claimedUntil: new Date(server.clock.now().getTime() - 1000),
        startedAt: server.clock.now(),
        totalRows: ROWS,
        rowsDone: 500,
        cursor: 500,
        issued: 500,
        file: { create: { content: file } },
      },
    });
    await server.app.scheduler.tick();
    const done = await server.app.deps.reader.importJob.findUniqueOrThrow({ where: { id: job.id } });
    expect(done).toMatchObject({ status: 'SUCCEEDED', rowsDone: ROWS, issued: ROWS, skipped: 0, failed: 0, claimedBy: null });
    expect(await server.app.deps.reader.importFile.count({ where: { jobId: job.id } })).toBe(0);
    // The rows before the cursor were left alone: the crashed instance had done them.
    const awards = await server.app.deps.reader.award.findMany({ where: { organizationId: owner.id }, select: { recipientEmail: true } });
    expect(new Set(awards.map((award) => award.recipientEmail))).toEqual(new Set(Array.from({ length: ROWS - 500 }, (_, index) => `r${index + 500}@example.com`)));
  });
});

describe('round trip', () => {
  it('exports from one organization and imports into another with templates of the same names: the awards are the same', async () => {
    const source = await server.createOrganization('Source');
    const target = await server.createOrganization('Target');
    const sourceTemplates = [await createActiveTemplate(source.client, { name: 'Mentor' }), await createActiveTemplate(source.client, { name: 'Judge', validityDays: 30 })];
    await createActiveTemplate(target.client, { name: 'Judge' });
    await createActiveTemplate(target.client, { name: 'Mentor' });
    await issue(source.client, sourceTemplates[0]!.id, 'ada@example.com', {
      issuedAt: '2024-01-02T03:04:05.000Z',
      expiresAt: null,
      recipient: { email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace', externalId: 'crm-1' },
      notes: 'Line one,\nline "two"',
      activityTitle: 'Essay, long form',
      activityStartedAt: '2023-12-01T00:00:00.000Z',
      activityEndedAt: '2023-12-20T00:00:00.000Z',
      evidence: [{ url: 'https://portfolio.example/ada/1' }, { url: 'https://portfolio.example/ada/2' }],
      accepted: true,
    });
    await issue(source.client, sourceTemplates[1]!.id, 'bob@example.com', { issuedAt: '2024-02-01T00:00:00.000Z', legacyId: 'credly-77' });
    await issue(source.client, sourceTemplates[1]!.id, 'cy@example.com', { issuedAt: '2024-03-01T00:00:00.000Z', expiresAt: '2030-01-01T00:00:00.000Z' });
    const revoked = await issue(source.client, sourceTemplates[0]!.id, 'dee@example.com', { issuedAt: '2024-04-01T00:00:00.000Z' });
    await source.client.data(RevokeAwardDocument, { id: revoked.award.id, reason: 'Mistake.' });

    const exported = (await source.client.data(AwardsCsvDocument, { first: 100 })).awardsCsv.csv;
    const { job } = await importAwards(target.client, { csv: exported, fileName: 'source.csv' });
    expect(await finished(target, job!.id)).toMatchObject({
      status: 'SUCCEEDED',
      issued: 3,
      skipped: 1,
      failed: 0,
      // Ada's notes span two lines, so Dee's row starts on line 6.
      problems: [expect.objectContaining({ line: 6, column: 'status', rule: 'notImported' })],
    });

    const view = async (organization: TestOrganization) =>
      (await organization.client.data(ImportedAwardsDocument, {})).awards.edges
        .map(({ node: { template, ...award } }) => ({ ...award, template: template.name }))
        .filter((award) => award.status !== 'REVOKED');
    const [before, after] = [await view(source), await view(target)];
    expect(after.map(({ id, ...award }) => ({ ...award, newId: id }))).toEqual(
      // An award issued at the source is known at the target by its id there.
      before.map(({ id, ...award }) => ({ ...award, legacyId: award.legacyId ?? id, newId: expect.any(String) as string })),
    );
    expect(after.map((award) => award.recipientEmail)).toEqual(['ada@example.com', 'bob@example.com', 'cy@example.com']);
    expect(after[0]).toMatchObject({ recipientFirstName: 'Ada', notes: 'Line one,\nline "two"', earner: { externalId: 'crm-1' } });
    expect(after[1]).toMatchObject({ legacyId: 'credly-77', expiresAt: '2024-03-02T00:00:00.000Z', status: 'EXPIRED' });
  });
});

describe('npm run import', () => {
  async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/import.ts', ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: server.databaseUrl, LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number];
    return { code, stdout, stderr };
  }

  it('prints a dry run’s problems as line:column rule message and exits 1; imports a clean file with a summary', async () => {
    const cli = await server.createOrganization('Command line');
    const template = await createActiveTemplate(cli.client, { name: 'Volunteer' });
    const bad = path.join(directory, 'bad.csv');
    await writeFile(bad, csv([['recipient_email', 'recipient_name', 'issued_at'], ['x@example.com', 'Xavier X', 'soon']]));
    const dry = await run([bad, '--organization', cli.id, '--template', template.id, '--dry-run']);
    expect(dry.stdout).toContain('2:issued_at isoDate "soon" is not an ISO-8601 date');
    expect(dry.code).toBe(1);

    const good = path.join(directory, 'good.csv');
    await writeFile(good, csv([['recipient_email', 'recipient_name'], ['x@example.com', 'Xavier X'], ['y@example.com', 'Yvonne Y']]));
    expect((await run([good, '--organization', cli.id, '--template', template.id, '--dry-run'])).code).toBe(0);
    const real = await run([good, '--organization', cli.id, '--template', template.id]);
    expect(real.stdout).toContain('SUCCEEDED: 2 rows, 2 issued, 0 skipped, 0 failed.');
    expect(real.code).toBe(0);
    expect(await awardCount(cli)).toBe(2);
  });
});
