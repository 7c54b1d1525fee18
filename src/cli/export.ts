// npm run export -- awards.csv --organization <id> [--template <id>] [--status ACCEPTED,PENDING]
//                   [--issued-after <ISO date>] [--issued-before <ISO date>] [--imported true|false]
// Writes the organization's awards as CSV (the columns `npm run import` reads) to a file, or to
// standard output for "-", a page at a time.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { createDeps } from '../deps.js';
import { rawId } from '../graphql/ids.js';
import { userPath, withOrganization } from './organization.js';
import { awardsCsv } from '../modules/exports/index.js';
import type { AwardFilter } from '../modules/awards/index.js';
import { AwardStatus } from '../generated/prisma-sqlite/client.js';

const STATUSES: readonly string[] = Object.values(AwardStatus);

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    organization: { type: 'string' },
    template: { type: 'string' },
    status: { type: 'string' },
    'issued-after': { type: 'string' },
    'issued-before': { type: 'string' },
    imported: { type: 'string' },
  },
});

function usage(problem: string): never {
  process.stderr.write(
    `${problem}\nUsage: npm run export -- <file.csv | -> --organization <id> [--template <id>] [--status ${STATUSES.join(',')}] [--issued-after <date>] [--issued-before <date>] [--imported true|false]\n`,
  );
  process.exit(2);
}

function date(option: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const parsed = new Date(value);
  if (Number.isNaN(parsed.getTime())) usage(`--${option} must be an ISO-8601 date, not "${value}".`);
  return parsed;
}

const [target] = positionals;
if (!target || positionals.length > 1) usage('Name one file to write (or - for standard output).');
if (!values.organization) usage('--organization is required.');
const statuses = values.status?.split(',').map((status) => status.trim().toUpperCase());
const unknownStatus = statuses?.find((status) => !STATUSES.includes(status));
if (unknownStatus) usage(`--status: unknown status "${unknownStatus}".`);
if (values.imported !== undefined && !['true', 'false'].includes(values.imported)) usage('--imported must be true or false.');
const filter: AwardFilter = {
  templateId: values.template ? rawId('BadgeTemplate', values.template) : undefined,
  statuses: statuses as AwardStatus[] | undefined,
  issuedAfter: date('issued-after', values['issued-after']),
  issuedBefore: date('issued-before', values['issued-before']),
  imported: values.imported === undefined ? undefined : values.imported === 'true',
};

await withOrganization(values.organization, async ({ config, database, organization }) => {
  const out = target === '-' ? process.stdout : createWriteStream(userPath(target));
  let rows = 0;
  for await (const chunk of awardsCsv(createDeps({ database, config }), organization.id, filter, 1000)) {
    // Waits while the file or pipe is full, so memory holds a page whatever the export's size.
    if (!out.write(chunk.csv)) await once(out, 'drain');
    rows += chunk.rows;
  }
  if (out !== process.stdout) {
    out.end();
    await once(out, 'finish');
  }
  process.stderr.write(`Exported ${rows} award${rows === 1 ? '' : 's'} of "${organization.name}"${target === '-' ? '' : ` to ${target}`}.\n`);
});
