// Reading an awards CSV file (RFC 4180, UTF-8 with or without a byte order mark): its header is
// checked against the columns the export writes, and each data row is kept with the line it
// starts on, so every problem can name its line and column.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Parser } from 'csv-parse';
import { AWARD_CSV_COLUMNS, type AwardCsvColumn } from '../awards/index.js';

/** What is wrong, where: `line` counts from 1 (the header); `column` is the header's name. */
export interface ImportProblem {
  line: number;
  column: string | null;
  rule: string;
  message: string;
}

export interface CsvRow {
  /** The line the row starts on (a quoted field may span several). */
  line: number;
  values: Partial<Record<AwardCsvColumn, string>>;
}

export interface CsvFile {
  rows: CsvRow[];
  /** Problems of the file as a whole (its header, its syntax): none of its rows can be imported. */
  problems: ImportProblem[];
}

/** Rows in one file; a larger import is split into several files. */
export const MAX_IMPORT_ROWS = 200_000;

const KNOWN: ReadonlySet<string> = new Set(AWARD_CSV_COLUMNS);

/** The header's own problems: unknown or repeated columns, and columns no row could do without. */
function headerProblems(header: string[], hasDefaultTemplate: boolean): ImportProblem[] {
  const problems: ImportProblem[] = [];
  const seen = new Set<string>();
  for (const name of header) {
    if (!KNOWN.has(name)) {
      problems.push({ line: 1, column: name, rule: 'knownColumn', message: `"${name}" is not a column of an awards file (columns: ${AWARD_CSV_COLUMNS.join(', ')})` });
    } else if (seen.has(name)) {
      problems.push({ line: 1, column: name, rule: 'uniqueColumn', message: `"${name}" appears more than once` });
    }
    seen.add(name);
  }
  const missing = (column: string, message: string) => problems.push({ line: 1, column, rule: 'requiredColumn', message });
  if (!seen.has('recipient_email')) missing('recipient_email', 'is required');
  if (!seen.has('recipient_name') && !(seen.has('recipient_first_name') && seen.has('recipient_last_name'))) {
    missing('recipient_name', 'is required unless both recipient_first_name and recipient_last_name are columns');
  }
  if (!hasDefaultTemplate && !seen.has('template_id') && !seen.has('template_name')) {
    missing('template_id', 'is required (or template_name) unless a default template is given');
  }
  return problems;
}

type ParsedRecord = { record: string[]; info: { lines: number } };

/** Text parsed per turn of the event loop, so a large file does not hold up other requests. */
const STEP_CHARS = 256 * 1024;

/** The file's records, parsed a step at a time; a syntax error rejects with csv-parse's error. */
async function parseInSteps(text: string): Promise<ParsedRecord[]> {
  const records: ParsedRecord[] = [];
  const parser = new Parser({ bom: true, info: true, skip_empty_lines: true, relax_column_count: false });
  let failure: Error | undefined;
  parser.on('readable', () => {
    for (let record = parser.read() as ParsedRecord | null; record; record = parser.read() as ParsedRecord | null) records.push(record);
  });
  parser.on('error', (error: Error) => (failure ??= error));
  for (let start = 0; start < text.length && !failure; start += STEP_CHARS) {
    parser.write(text.slice(start, start + STEP_CHARS));
    await nextTurn();
  }
  if (!failure) {
    const ended = new Promise<void>((resolve) => parser.once('end', resolve).once('error', () => resolve()));
    parser.end();
    await ended;
  }
  if (failure) throw failure;
  return records;
}

/** Parses the file's text; when `problems` is not empty, `rows` is. */
export async function readCsvFile(text: string, hasDefaultTemplate: boolean): Promise<CsvFile> {
  let records: ParsedRecord[];
  try {
    records = await parseInSteps(text);
  } catch (error) {
    const lines = (error as { lines?: number }).lines;
    const message = error instanceof Error ? error.message.replace(/^CSV_[A-Z_]+:\s*/, '') : String(error);
    return { rows: [], problems: [{ line: typeof lines === 'number' ? lines : 1, column: null, rule: 'csv', message }] };
  }
  const [head, ...body] = records;
  if (!head) return { rows: [], problems: [{ line: 1, column: null, rule: 'header', message: 'the file is empty; its first line must be the header row' }] };
  const header = head.record.map((name) => name.trim());
  const problems = headerProblems(header, hasDefaultTemplate);
  if (body.length > MAX_IMPORT_ROWS) {
    problems.push({ line: 1, column: null, rule: 'maxRows', message: `a file holds at most ${MAX_IMPORT_ROWS} rows; this one has ${body.length}` });
  }
  if (problems.length) return { rows: [], problems };
  const rows = body.map(({ record, info }) => {
    // info.lines is where the record ends; line breaks inside its quoted fields move its start up.
    const breaks = record.reduce((count, value) => count + (value.match(/\n/g)?.length ?? 0), 0);
    const values: CsvRow['values'] = {};
    header.forEach((name, index) => {
      values[name as AwardCsvColumn] = record[index]!;
    });
    return { line: info.lines - breaks, values };
  });
  return { rows, problems: [] };
}
