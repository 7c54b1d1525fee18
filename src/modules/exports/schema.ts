import { builder } from '../../graphql/builder.js';
import { decodeOwnedId } from '../../graphql/ids.js';
import { AwardFilterInput, decodeFilter } from '../awards/schema/queries.js';
import { awardsCsvPage, MAX_ROWS_PER_PAGE, type CsvPage } from './csv.js';

const AwardsCsvPageRef = builder.objectRef<CsvPage>('AwardsCsvPage').implement({
  description: 'A page of an awards export in CSV: the pages concatenated in order are the file.',
  fields: (t) => ({
    csv: t.exposeString('csv', { description: 'Its lines (RFC 4180, UTF-8, CRLF line ends); the first page starts with the header row.' }),
    rows: t.exposeInt('rows', { description: 'How many awards it holds.' }),
    nextCursor: t.exposeString('nextCursor', { nullable: true, description: 'Pass as `after` for the next page; null on the last page.' }),
  }),
});

builder.queryField('awardsCsv', (t) =>
  t.field({
    type: AwardsCsvPageRef,
    description:
      'The organization’s awards as a CSV file, a page at a time, oldest issue first; each page is read from the database when asked for, so an export of any size is never held whole. Its columns are the ones `npm run import` reads, so a file exported here imports into another organization. Needs `read`.',
    authScopes: { permission: 'read' },
    args: {
      filter: t.arg({ type: AwardFilterInput, description: 'Conditions the awards must meet.' }),
      first: t.arg.int({ defaultValue: 1000, description: `Awards in this page, from 1 to ${MAX_ROWS_PER_PAGE}.` }),
      after: t.arg.string({ description: 'The `nextCursor` of the page before; omitted for the first page.' }),
    },
    resolve: async (_root, args, context) => {
      // Another organization's template or earner is NOT_FOUND.
      const filter = {
        ...decodeFilter(args.filter),
        templateId: await decodeOwnedId(context, 'BadgeTemplate', args.filter?.templateId, 'filter.templateId'),
        earnerId: await decodeOwnedId(context, 'Earner', args.filter?.earnerId, 'filter.earnerId'),
      };
      return awardsCsvPage(context.deps, context.auth.current.organizationId, filter, args.first ?? 1000, args.after);
    },
  }),
);
