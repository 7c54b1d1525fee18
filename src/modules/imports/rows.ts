// A CSV row as an award to issue: the template it names (by id, by name, or the import's
// default), ISO-8601 dates, evidence URLs, and its idempotency key. The award's own rules are
// issueAwards's (src/modules/awards/issue.ts), checked with issueProblems, not repeated here.
import { issueProblems, NEVER_EXPIRES, type AwardCsvColumn, type IssueAwardInput } from '../awards/index.js';
import { rawId } from '../../graphql/ids.js';
import type { FieldIssue } from '../../shared/errors.js';
import { requestHash } from '../../shared/stable-json.js';
import type { CsvRow, ImportProblem } from './csv-file.js';

export interface ImportTemplate {
  id: string;
  name: string;
  state: string;
}

/** The organization's templates, by id and by name. */
export interface TemplateLookup {
  byId: Map<string, ImportTemplate>;
  byName: Map<string, ImportTemplate[]>;
  /** The template of rows that name none. */
  defaultTemplateId: string | null;
}

export function templateLookup(templates: ImportTemplate[], defaultTemplateId: string | null): TemplateLookup {
  const byName = new Map<string, ImportTemplate[]>();
  for (const template of templates) byName.set(template.name, [...(byName.get(template.name) ?? []), template]);
  return { byId: new Map(templates.map((template) => [template.id, template])), byName, defaultTemplateId };
}

/** A row read: the award to issue, a reason it is skipped, or its problems. */
export type MappedRow =
  | { line: number; kind: 'issue'; input: IssueAwardInput & { idempotencyKey: string } }
  | { line: number; kind: 'skip'; problem: ImportProblem }
  | { line: number; kind: 'fail'; problems: ImportProblem[]; input?: IssueAwardInput };

/** Exported statuses an import does not issue again (see docs/imports.md). */
const NOT_IMPORTED = new Set(['REVOKED', 'REJECTED']);
const STATUSES = new Set(['', 'PENDING', 'ACCEPTED', 'EXPIRED', ...NOT_IMPORTED]);

// Calendar date, or date and time with an optional fraction and a zone (Z or ±hh:mm).
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** The column a field of the award input comes from, for issueAwards's problems. */
const FIELD_COLUMNS: Array<[prefix: string, column: AwardCsvColumn]> = [
  ['templateId', 'template_id'],
  ['recipient.email', 'recipient_email'],
  ['recipient.name', 'recipient_name'],
  ['recipient.firstName', 'recipient_first_name'],
  ['recipient.lastName', 'recipient_last_name'],
  ['recipient.externalId', 'recipient_external_id'],
  ['recipient', 'recipient_email'],
  ['issuedAt', 'issued_at'],
  ['expiresAt', 'expires_at'],
  ['activityTitle', 'activity_title'],
  ['activityStartedAt', 'activity_started_at'],
  ['activityEndedAt', 'activity_ended_at'],
  ['notes', 'notes'],
  ['evidence', 'evidence_url'],
  ['legacyId', 'legacy_id'],
];

/** The CSV column of an issue field (`recipient.email` → `recipient_email`). */
export function columnOf(field: string): string | null {
  return FIELD_COLUMNS.find(([prefix]) => field === prefix || field.startsWith(`${prefix}.`) || field.startsWith(`${prefix}[`))?.[1] ?? null;
}

/**
 * The row's template: its template_id when that is a template of this organization; otherwise
 * its template_name (a file exported from another organization names templates of that one);
 * otherwise the import's default.
 */
function resolveTemplate(row: CsvRow, templates: TemplateLookup, problems: ImportProblem[]): string | undefined {
  const id = row.values.template_id?.trim();
  const name = row.values.template_name?.trim();
  const problem = (column: string, rule: string, message: string) => {
    problems.push({ line: row.line, column, rule, message });
    return undefined;
  };
  let template: ImportTemplate | undefined;
  if (id) template = templates.byId.get(rawId('BadgeTemplate', id));
  if (!template && name) {
    const named = templates.byName.get(name) ?? [];
    const active = named.filter((candidate) => candidate.state === 'ACTIVE');
    template = named.length === 1 ? named[0] : active.length === 1 ? active[0] : undefined;
    if (!template && named.length) return problem('template_name', 'unambiguous', `several templates of this organization are named "${name}"; give template_id`);
    if (!template) return problem('template_name', 'exists', `no template of this organization is named "${name}"`);
  }
  if (!template && id) return problem('template_id', 'exists', 'is not a badge template of this organization, and no template_name names one');
  if (!template && templates.defaultTemplateId) template = templates.byId.get(templates.defaultTemplateId);
  if (!template) return problem('template_id', 'required', 'is required (or template_name) since the import has no default template');
  if (template.state !== 'ACTIVE') {
    return problem(id ? 'template_id' : 'template_name', 'templateActive', `names a ${template.state.toLowerCase()} template; only active templates issue`);
  }
  return template.id;
}

function date(row: CsvRow, column: AwardCsvColumn, problems: ImportProblem[]): Date | undefined {
  const value = row.values[column]?.trim();
  if (!value) return undefined;
  const parsed = new Date(value);
  if (!ISO_8601.test(value) || Number.isNaN(parsed.getTime())) {
    problems.push({ line: row.line, column, rule: 'isoDate', message: `"${value}" is not an ISO-8601 date (e.g. 2024-03-01 or 2024-03-01T09:30:00Z)` });
    return undefined;
  }
  return parsed;
}

/** The row as issueAwards's input, before its rules are checked; or its problems. */
function toInput(row: CsvRow, templates: TemplateLookup): MappedRow {
  const problems: ImportProblem[] = [];
  const cell = (column: AwardCsvColumn) => {
    const value = row.values[column]?.trim();
    return value ? value : undefined;
  };
  const status = (cell('status') ?? '').toUpperCase();
  if (!STATUSES.has(status)) {
    problems.push({ line: row.line, column: 'status', rule: 'oneOf', message: `"${cell('status')}" is not one of PENDING, ACCEPTED, EXPIRED, REJECTED, REVOKED` });
  } else if (NOT_IMPORTED.has(status)) {
    return {
      line: row.line,
      kind: 'skip',
      problem: { line: row.line, column: 'status', rule: 'notImported', message: `skipped: the award is ${status} in the file, and imports issue only awards that stand` },
    };
  }
  const templateId = resolveTemplate(row, templates, problems);
  const expires = cell('expires_at');
  const input: IssueAwardInput = {
    templateId: templateId ?? '',
    recipient: {
      email: cell('recipient_email') ?? '',
      name: cell('recipient_name'),
      firstName: cell('recipient_first_name'),
      lastName: cell('recipient_last_name'),
      externalId: cell('recipient_external_id'),
    },
    issuedAt: date(row, 'issued_at', problems),
    // Empty: the template's default validity; "never": no expiry.
    expiresAt: expires?.toLowerCase() === NEVER_EXPIRES ? null : date(row, 'expires_at', problems),
    activityTitle: cell('activity_title'),
    activityStartedAt: date(row, 'activity_started_at', problems),
    activityEndedAt: date(row, 'activity_ended_at', problems),
    notes: cell('notes'),
    evidence: cell('evidence_url')
      ?.split(/\s+/)
      .map((url) => ({ url })),
    legacyId: cell('legacy_id'),
    imported: true,
    accepted: status === 'ACCEPTED',
    // A row of a ONCE badge the earner already holds is skipped, not an error.
    onDuplicate: 'SKIP',
  };
  // The award's own rules still run on the rest of the row, so every problem is told at once.
  if (problems.length) return { line: row.line, kind: 'fail', problems, input };
  // The same content is the same award, whichever file (or run) it comes in.
  return { line: row.line, kind: 'issue', input: { ...input, idempotencyKey: `import:${requestHash(input)}` } };
}

/** A problem issueAwards reported for the row at `position`, named by its line and column. */
export function rowProblem(line: number, issue: FieldIssue): ImportProblem {
  return { line, column: columnOf(issue.field), rule: issue.rule, message: issue.message };
}

/** Names field `name` of row `position` so its problems come back to that row. */
export const positionField = (position: number, name: string) => `${position}:${name}`;

/** The row position and field of a name made by positionField. */
export function splitPositionField(field: string): { position: number; name: string } | undefined {
  const match = /^(\d+):(.*)$/.exec(field);
  return match ? { position: Number(match[1]), name: match[2]! } : undefined;
}

/**
 * Reads rows as awards to issue, with every problem of each: this module's (template, dates,
 * status) and then issueAwards's own rules on the rows that got that far. A row repeating an
 * earlier row's content (same idempotency key) is skipped.
 */
export function mapRows(rows: CsvRow[], templates: TemplateLookup, now: Date, seenKeys = new Set<string>()): MappedRow[] {
  const mapped = rows.map((row) => toInput(row, templates));
  const candidates = mapped.flatMap((row, index) => (row.kind !== 'skip' && row.input ? [{ row, index, input: row.input }] : []));
  const issues = issueProblems(
    candidates.map(({ input }) => input),
    positionField,
    now,
  );
  const byPosition = new Map<number, ImportProblem[]>();
  for (const issue of issues) {
    const where = splitPositionField(issue.field);
    if (!where) continue;
    const { index, row } = candidates[where.position]!;
    const problem = rowProblem(row.line, { ...issue, field: where.name });
    const known = row.kind === 'fail' ? row.problems : [];
    // Repeats within the batch are handled below, as skips; a column already refused is not refused twice.
    if (issue.rule === 'uniqueInBatch' || known.some((earlier) => earlier.column === problem.column)) continue;
    byPosition.set(index, [...(byPosition.get(index) ?? []), problem]);
  }
  return mapped.map((row, index) => {
    const problems = [...(row.kind === 'fail' ? row.problems : []), ...(byPosition.get(index) ?? [])];
    if (problems.length) return { line: row.line, kind: 'fail', problems };
    if (row.kind !== 'issue') return row;
    if (seenKeys.has(row.input.idempotencyKey)) {
      return { line: row.line, kind: 'skip', problem: { line: row.line, column: null, rule: 'repeatedRow', message: 'skipped: repeats an earlier row of the file' } };
    }
    seenKeys.add(row.input.idempotencyKey);
    return row;
  });
}
