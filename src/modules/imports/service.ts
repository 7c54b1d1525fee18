// Importing awards from a CSV file: a dry run reports every problem and writes nothing; a real
// run stores the file with a QUEUED job that the import workers (./jobs.ts) carry out in batches.
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Actor, Deps } from '../../deps.js';
import { commit } from '../../db/transaction.js';
import type { ImportJob } from '../../generated/prisma-sqlite/client.js';
import { NotFoundError, ValidationError } from '../../shared/errors.js';
import { line, parseInput, z } from '../../shared/validation.js';
import { readCsvFile, type ImportProblem } from './csv-file.js';
import { mapRows, templateLookup, type TemplateLookup } from './rows.js';

/** Rows read (and, in a job, issued) at once: one transaction each. */
export const IMPORT_BATCH = 500;

export interface ImportInput {
  csv: string;
  fileName?: string | null;
  /** The template of rows that name none (a raw id). */
  templateId?: string | null;
  dryRun?: boolean | null;
}

export interface DryRunResult {
  totalRows: number;
  /** Rows that would be issued. */
  validRows: number;
  /** Rows that would be skipped (their status, a repeated row, issued by an earlier import). */
  skippedRows: number;
  problems: ImportProblem[];
}

const inputSchema = z.object({
  csv: z.string(),
  fileName: line(255).nullish(),
  templateId: z.string().nullish(),
  dryRun: z.boolean().nullish(),
});

export function importJobEvent(job: Pick<ImportJob, 'id' | 'organizationId' | 'status' | 'updatedAt'>) {
  return { kind: 'importJob' as const, organizationId: job.organizationId, jobId: job.id, status: job.status, at: job.updatedAt.toISOString() };
}

/** The organization's templates for reading rows; the default template must be one of them. */
export async function loadTemplates(deps: Deps, organizationId: string, defaultTemplateId: string | null | undefined): Promise<TemplateLookup> {
  const templates = await deps.reader.badgeTemplate.findMany({ where: { organizationId }, select: { id: true, name: true, state: true } });
  if (defaultTemplateId && !templates.some((template) => template.id === defaultTemplateId)) throw new NotFoundError('badge template', 'templateId');
  return templateLookup(templates, defaultTemplateId ?? null);
}

/** Every problem of the file, row by row, without writing anything. */
export async function dryRunImport(deps: Deps, organizationId: string, input: ImportInput): Promise<DryRunResult> {
  const parsed = parseInput(inputSchema, input);
  const templates = await loadTemplates(deps, organizationId, parsed.templateId);
  const file = await readCsvFile(parsed.csv, Boolean(parsed.templateId));
  if (file.problems.length) return { totalRows: 0, validRows: 0, skippedRows: 0, problems: file.problems };
  const now = deps.clock.now();
  const problems: ImportProblem[] = [];
  let validRows = 0;
  let skippedRows = 0;
  const seen = new Set<string>();
  for (let start = 0; start < file.rows.length; start += IMPORT_BATCH) {
    const keys: string[] = [];
    for (const row of mapRows(file.rows.slice(start, start + IMPORT_BATCH), templates, now, seen)) {
      if (row.kind === 'issue') keys.push(row.input.idempotencyKey);
      else if (row.kind === 'skip') skippedRows += 1;
      else problems.push(...row.problems);
    }
    // Rows an earlier import issued are skipped by a real run, so a dry run of a file imported
    // before says so rather than promising them again.
    const imported = keys.length
      ? await deps.reader.award.count({ where: { organizationId, idempotencyKey: { in: keys } } })
      : 0;
    validRows += keys.length - imported;
    skippedRows += imported;
    // A batch per turn of the event loop: other requests go on meanwhile.
    await nextTurn();
  }
  return { totalRows: file.rows.length, validRows, skippedRows, problems };
}

/**
 * Queues an import: the file is checked as a whole (header, syntax, size) and stored with its job
 * in one transaction. Its rows' own problems are the job's: such rows are counted as failed.
 */
export async function startImport(deps: Deps, actor: Actor, input: ImportInput): Promise<ImportJob> {
  const parsed = parseInput(inputSchema, input);
  await loadTemplates(deps, actor.organizationId, parsed.templateId);
  const file = await readCsvFile(parsed.csv, Boolean(parsed.templateId));
  if (file.problems.length) {
    throw new ValidationError(
      file.problems.map((problem) => ({
        field: 'csv',
        rule: problem.rule,
        message: `line ${problem.line}${problem.column ? `, column ${problem.column}` : ''}: ${problem.message}`,
      })),
    );
  }
  return commit(deps, async (tx) => {
    const job = await tx.importJob.create({
      data: {
        organizationId: actor.organizationId,
        apiKeyId: actor.apiKeyId,
        fileName: parsed.fileName ?? null,
        defaultTemplateId: parsed.templateId ?? null,
        totalRows: file.rows.length,
        file: { create: { content: parsed.csv } },
      },
    });
    return { result: job, events: [importJobEvent(job)] };
  });
}
