// CSV imports over GraphQL: a dry run answers every problem; a real run answers a job, queryable
// and pushed live as it progresses.
import type { ImportJobEvent, Committed } from '../../events/events.js';
import { eventStream } from '../../events/stream.js';
import { builder } from '../../graphql/builder.js';
import { decodeId, decodeOptionalId, decodeOwnedId } from '../../graphql/ids.js';
import { record, tenantNode } from '../../graphql/nodes.js';
import { connectionType, pageSize } from '../../graphql/pagination.js';
import type { ImportProblem } from './csv-file.js';
import { MAX_JOB_PROBLEMS } from './jobs.js';
import { dryRunImport, startImport, type DryRunResult } from './service.js';

const ImportJobStatusEnum = builder.enumType('ImportJobStatus', {
  description: 'Where an import job is.',
  values: {
    QUEUED: { description: 'Waiting for a server to run it (within seconds).' },
    RUNNING: { description: 'Issuing the file’s rows, a batch at a time.' },
    SUCCEEDED: { description: 'Every row was issued, skipped or counted as failed.' },
    FAILED: { description: 'Stopped by an error (see `error`); batches already done stay done.' },
  },
});

const ImportProblemRef = builder.objectRef<ImportProblem>('ImportProblem').implement({
  description: 'What is wrong with a line of an imported file, or why it was skipped.',
  fields: (t) => ({
    line: t.exposeInt('line', { description: 'The line of the file, from 1 (the header); a row with line breaks in a quoted field is named by its first line.' }),
    column: t.exposeString('column', { nullable: true, description: 'The column (its header name), when the problem is in one.' }),
    rule: t.exposeString('rule', { description: 'The rule broken, a stable name (e.g. `isoDate`, `knownColumn`, `required`).' }),
    message: t.exposeString('message', { description: 'What is wrong, for people.' }),
  }),
});

export const ImportJobRef = builder.prismaNode('ImportJob', {
  description: 'A CSV import of awards, run in batches by the servers.',
  ...tenantNode,
  fields: (t) => ({
    fileName: t.exposeString('fileName', { nullable: true, description: 'The file’s name, as given.' }),
    status: t.expose('status', { type: ImportJobStatusEnum, description: 'Where the job is.' }),
    totalRows: t.exposeInt('totalRows', { description: 'Data rows in the file (the header not counted).' }),
    rowsDone: t.exposeInt('rowsDone', { description: 'Rows handled so far: issued, skipped or failed.' }),
    issued: t.exposeInt('issued', { description: 'Awards issued.' }),
    skipped: t.exposeInt('skipped', { description: 'Rows not issued on purpose: imported before (same content), a ONCE badge already held, a REVOKED or REJECTED status, a repeated row.' }),
    failed: t.exposeInt('failed', { description: 'Rows that broke a rule (see `problems`).' }),
    problems: t.field({
      type: [ImportProblemRef],
      description: `Why rows failed or were skipped, in file order, the first ${MAX_JOB_PROBLEMS}.`,
      select: { problems: true },
      resolve: (job) => (Array.isArray(job.problems) ? (job.problems as unknown as ImportProblem[]) : []),
    }),
    error: t.exposeString('error', { nullable: true, description: 'Why a FAILED job stopped.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was queued.' }),
    startedAt: t.expose('startedAt', { type: 'DateTime', nullable: true, description: 'When a server started it.' }),
    finishedAt: t.expose('finishedAt', { type: 'DateTime', nullable: true, description: 'When it succeeded or failed.' }),
  }),
});

const ImportJobConnection = connectionType(ImportJobRef, 'ImportJob', 'import jobs');

const ImportAwardsInput = builder.inputType('ImportAwardsInput', {
  description: 'A CSV file of awards to import (see docs/imports.md); the request body limit (MAX_BODY_KB, 2 MB by default) bounds its size.',
  fields: (t) => ({
    csv: t.string({ required: true, description: 'The file’s text: RFC 4180, UTF-8 (a byte order mark is fine), a header row first.' }),
    fileName: t.string({ description: 'Its name, kept on the job.' }),
    templateId: t.id({ description: 'The template of rows that name none.' }),
    dryRun: t.boolean({ description: 'Check every row and report every problem, writing nothing.' }),
  }),
});

type ImportPayload = { dryRun: DryRunResult | null; jobId: string | null };

const ImportAwardsPayload = builder.objectRef<ImportPayload>('ImportAwardsPayload').implement({
  description: 'A dry run’s findings, or the job a real run queued.',
  fields: (t) => ({
    totalRows: t.int({ nullable: true, description: 'Dry run: data rows in the file.', resolve: (payload) => payload.dryRun?.totalRows ?? null }),
    validRows: t.int({ nullable: true, description: 'Dry run: rows that would be issued.', resolve: (payload) => payload.dryRun?.validRows ?? null }),
    skippedRows: t.int({ nullable: true, description: 'Dry run: rows that would be skipped (their status, a repeated row, or issued by an earlier import).', resolve: (payload) => payload.dryRun?.skippedRows ?? null }),
    problems: t.field({
      type: [ImportProblemRef],
      description: 'Dry run: every problem of the file, in file order (empty when it would import cleanly). Empty for a real run: see the job.',
      resolve: (payload) => payload.dryRun?.problems ?? [],
    }),
    job: t.field({
      type: ImportJobRef,
      nullable: true,
      description: 'Real run: the queued job. Null for a dry run.',
      resolve: (payload, _args, context) =>
        payload.jobId ? context.deps.reader.importJob.findFirst({ where: { id: payload.jobId, organizationId: context.auth.current.organizationId } }) : null,
    }),
  }),
});

builder.mutationField('importAwards', (t) =>
  t.field({
    type: ImportAwardsPayload,
    description:
      'Imports awards from a CSV file in the columns `awardsCsv` writes. A dry run answers every problem (line, column, rule) and writes nothing; a real run checks the file’s header and queues a job that issues the rows in batches (rows already imported are skipped). Needs `awards:issue`.',
    authScopes: { permission: 'awards:issue' },
    complexity: 100,
    args: { input: t.arg({ type: ImportAwardsInput, required: true, description: 'The file and how to import it.' }) },
    resolve: async (_root, { input }, context) => {
      const importInput = { ...input, templateId: decodeOptionalId('BadgeTemplate', input.templateId, 'templateId') };
      const { organizationId } = context.auth.current;
      if (input.dryRun) return { dryRun: await dryRunImport(context.deps, organizationId, importInput), jobId: null };
      return { dryRun: null, jobId: (await startImport(context.deps, context.auth.current, importInput)).id };
    },
  }),
);

builder.queryFields((t) => ({
  importJob: t.prismaField({
    type: 'ImportJob',
    nullable: true,
    description: 'An import job of the organization; null when there is none with this id. Needs `read`.',
    authScopes: { permission: 'read' },
    args: { id: t.arg.id({ required: true, description: 'The job’s id.' }) },
    resolve: (query, _root, args, context) =>
      context.deps.reader.importJob.findFirst({ ...query, where: { id: decodeId('ImportJob', args.id, 'id'), organizationId: context.auth.current.organizationId } }),
  }),
  importJobs: t.prismaConnection(
    {
      type: 'ImportJob',
      cursor: 'id',
      description: 'The organization’s CSV imports, newest first. Needs `read`.',
      authScopes: { permission: 'read' },
      ...pageSize,
      totalCount: (_parent, _args, context) => context.deps.reader.importJob.count({ where: { organizationId: context.auth.current.organizationId } }),
      resolve: (query, _parent, _args, context) =>
        context.deps.reader.importJob.findMany({
          ...query,
          where: { organizationId: context.auth.current.organizationId },
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        }),
    },
    ImportJobConnection,
  ),
}));

const ImportJobEventRef = builder.objectRef<Committed<ImportJobEvent>>('ImportJobEvent').implement({
  description: 'Progress of an import: sent when it is queued, starts, finishes each batch, and ends.',
  fields: (t) => ({
    status: t.field({ type: ImportJobStatusEnum, description: 'The job’s status at the event.', resolve: (event) => event.status }),
    at: t.field({ type: 'DateTime', description: 'When it happened.', resolve: (event) => new Date(event.at) }),
    committedAt: t.field({ type: 'DateTime', description: 'When it was committed and announced.', resolve: (event) => new Date(event.committedAt) }),
    job: record(t, 'ImportJob', 'The job as it is when the event is delivered.', (event) => event.jobId),
  }),
});

builder.subscriptionField('importJobChanged', (t) =>
  t.field({
    type: ImportJobEventRef,
    description: 'Progress of the organization’s import jobs, or of one. Needs `read`.',
    authScopes: { permission: 'read' },
    args: { id: t.arg.id({ description: 'Only this job.' }) },
    subscribe: async (_root, args, context) => {
      const { organizationId } = context.auth.current;
      const jobId = await decodeOwnedId(context, 'ImportJob', args.id, 'id');
      return eventStream(context.deps.events, (batch) =>
        batch.filter(
          (event): event is Committed<ImportJobEvent> =>
            event.kind === 'importJob' && event.organizationId === organizationId && (!jobId || event.jobId === jobId),
        ),
      );
    },
    resolve: (event) => event,
  }),
);
