// The columns of an awards CSV file: the export writes them, the import reads them, so a file
// exported from one organization imports into another. One list, so the two cannot drift.

/** The header row, in the export's order. */
export const AWARD_CSV_COLUMNS = [
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
] as const;

export type AwardCsvColumn = (typeof AWARD_CSV_COLUMNS)[number];

/** Written for an award that never expires, since an empty cell means "the template's validity". */
export const NEVER_EXPIRES = 'never';
