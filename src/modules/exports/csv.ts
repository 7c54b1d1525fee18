// Awards as CSV text (RFC 4180, UTF-8, CRLF line ends), a page at a time: the header comes with
// the first page, and a cursor names where the next one starts.
import { stringify } from 'csv-stringify/sync';
import type { Deps } from '../../deps.js';
import { ValidationError } from '../../shared/errors.js';
import { AWARD_CSV_COLUMNS, type AwardFilter } from '../awards/index.js';
import { awardRowsPage, type PagePosition } from './award-rows.js';

export const MAX_ROWS_PER_PAGE = 5_000;

export interface CsvPage {
  /** This page's lines; the first page starts with the header row. */
  csv: string;
  rows: number;
  /** Where the next page starts; null on the last page. */
  nextCursor: string | null;
}

const lines = (rows: ReadonlyArray<ReadonlyArray<string>>) => stringify(rows as string[][], { record_delimiter: 'windows' });

function encodeCursor(position: PagePosition): string {
  return Buffer.from(`${position.issuedAt.toISOString()}|${position.id}`).toString('base64url');
}

function decodeCursor(cursor: string): PagePosition {
  const [at, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  const issuedAt = new Date(at ?? '');
  if (!id || Number.isNaN(issuedAt.getTime())) throw ValidationError.single('after', 'cursor', 'must be a nextCursor from this export');
  return { issuedAt, id };
}

/** A page as CSV text (with the header when it is the first) and where the next one starts. */
async function csvPage(deps: Deps, organizationId: string, filter: AwardFilter, after: PagePosition | undefined, size: number) {
  const page = await awardRowsPage(deps, organizationId, filter, after, size);
  return { csv: (after ? '' : lines([AWARD_CSV_COLUMNS])) + lines(page.rows), rows: page.rows.length, next: page.next };
}

/** One page of the export: `first` awards after `after` (a nextCursor), or from the start. */
export async function awardsCsvPage(deps: Deps, organizationId: string, filter: AwardFilter, first: number, after?: string | null): Promise<CsvPage> {
  if (!Number.isInteger(first) || first < 1 || first > MAX_ROWS_PER_PAGE) {
    throw ValidationError.single('first', 'range', `must be a whole number from 1 to ${MAX_ROWS_PER_PAGE}`);
  }
  const { csv, rows, next } = await csvPage(deps, organizationId, filter, after ? decodeCursor(after) : undefined, first);
  return { csv, rows, nextCursor: next ? encodeCursor(next) : null };
}

/** The whole export, page after page, as the reader asks for them. */
export async function* awardsCsv(deps: Deps, organizationId: string, filter: AwardFilter, pageSize: number): AsyncGenerator<{ csv: string; rows: number }> {
  let after: PagePosition | undefined;
  do {
    const { csv, rows, next } = await csvPage(deps, organizationId, filter, after, pageSize);
    yield { csv, rows };
    after = next;
  } while (after);
}
