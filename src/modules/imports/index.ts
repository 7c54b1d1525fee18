// Imports: awards read from a CSV file (the export's columns), checked in a dry run or issued by
// a job in batches. Other modules use imports through this file only.
export { MAX_IMPORT_ROWS, readCsvFile, type ImportProblem } from './csv-file.js';
export { ImportJobs, MAX_JOB_PROBLEMS } from './jobs.js';
export { dryRunImport, IMPORT_BATCH, startImport, type DryRunResult, type ImportInput } from './service.js';
