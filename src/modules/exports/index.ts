// Exports: the organization's awards as CSV, in the columns an import reads.
export { awardsCsv, awardsCsvPage, MAX_ROWS_PER_PAGE, type CsvPage } from './csv.js';
