import { builder, type InputFieldBuilder } from '../../graphql/builder.js';
import { validUntil } from '../../graphql/context.js';
import { decodeId, decodeOptionalId } from '../../graphql/ids.js';
import { connectionType, pageSize } from '../../graphql/pagination.js';
import { NotFoundError, ValidationError, type FieldIssue } from '../../shared/errors.js';
import { DUPLICATE_POLICIES, issueAwards, MAX_BATCH, type IssueAwardInput, type IssueResult } from './issue.js';
import { publicAwardUrl } from './links.js';
import {
  acceptAward,
  awardWhere,
  deleteAward,
  rejectAward,
  restoreAward,
  revokeAward,
  SEARCH_FIELDS,
  updateAward,
  type AwardFilter,
} from './service.js';
import { effectiveStatus } from './status.js';

export const AwardStatusEnum = builder.enumType('AwardStatus', {
  description: 'Where an award is in its life.',
  values: {
    PENDING: { description: 'Issued; the earner has not accepted it yet. Counts as held.' },
    ACCEPTED: { description: 'Accepted by the earner.' },
    REJECTED: { description: 'Declined by the earner.' },
    REVOKED: { description: 'Withdrawn by the issuer, with a reason.' },
    EXPIRED: { description: 'Past its expiry date. Derived from expiresAt, so it shows as soon as the date passes.' },
  },
});

const AwardSourceEnum = builder.enumType('AwardSource', {
  description: 'Who made an award.',
  values: {
    MANUAL: { description: 'Issued by issueAward or issueAwards. Automation never revokes it.' },
    AUTOMATION: {
      description: 'Issued by the template’s award rule (points, membership or action), or by awardForAction in its name. Automation may revoke and restore it.',
    },
  },
});

const AwardActionEnum = builder.enumType('AwardAction', {
  description: 'A change in an award’s history.',
  values: {
    ISSUED: { description: 'The award was issued.' },
    ACCEPTED: { description: 'The earner accepted it.' },
    REJECTED: { description: 'The earner declined it.' },
    REVOKED: { description: 'It was revoked.' },
    RESTORED: { description: 'A revocation was undone.' },
    EXPIRED: { description: 'Its expiry was recorded.' },
    UPDATED: { description: 'Its notes, details, activity or expiry changed.' },
  },
});

const AwardSearchFieldEnum = builder.enumType('AwardSearchField', {
  description: 'Which recipient field `search` looks in.',
  values: Object.fromEntries(
    SEARCH_FIELDS.map((value) => [value, { description: value === 'NAME' ? 'The recipient’s name.' : 'The recipient’s email.' }]),
  ) as Record<(typeof SEARCH_FIELDS)[number], { description: string }>,
});

const DuplicatePolicyEnum = builder.enumType('DuplicatePolicy', {
  description: 'What to do when the earner already holds a live award of a ONCE template.',
  values: {
    DENY: { description: 'Refuse with a CONFLICT error (the default).' },
    REPLACE: { description: 'Revoke the held award, giving the reason "replaced", and issue the new one.' },
    SKIP: { description: 'Issue nothing and return the held award.' },
  } satisfies Record<(typeof DUPLICATE_POLICIES)[number], { description: string }>,
});

const IssueOutcomeEnum = builder.enumType('IssueOutcome', {
  description: 'What issuing did.',
  values: {
    ISSUED: { description: 'A new award was issued.' },
    REPLACED: { description: 'A new award was issued and the earner’s previous one revoked (onDuplicate: REPLACE).' },
    ALREADY_HELD: { description: 'Nothing was issued: the earner already holds this ONCE badge (onDuplicate: SKIP).' },
    IDEMPOTENT_REPLAY: { description: 'Nothing was issued: the idempotency key was used before; this is that award.' },
  },
});

const AwardOrderEnum = builder.enumType('AwardOrder', {
  description: 'Orders for the awards list.',
  values: {
    ISSUED_AT_DESC: { description: 'Most recently issued first (the default).' },
    ISSUED_AT_ASC: { description: 'Earliest issued first.' },
    RECIPIENT_NAME_ASC: { description: 'By recipient name, A to Z.' },
  },
});

const AWARD_ORDERS = {
  ISSUED_AT_DESC: [{ issuedAt: 'desc' }, { id: 'desc' }],
  ISSUED_AT_ASC: [{ issuedAt: 'asc' }, { id: 'asc' }],
  RECIPIENT_NAME_ASC: [{ recipientNameLower: 'asc' }, { id: 'asc' }],
} as const;

const AwardChangeOriginEnum = builder.enumType('AwardChangeOrigin', {
  description: 'Who made a change to an award.',
  values: {
    MANUAL: { description: 'A request with an API key (`actor`) changed the award itself: issue, accept, reject, revoke, restore, update.' },
    AUTOMATION: {
      description: 'The template’s award rule, applied live (`triggeredBy` is the key whose points, membership or action led to it) or by a backfill.',
    },
    EXPIRY: { description: 'Time passed: the award’s expiry was recorded.' },
  },
});

builder.prismaObject('AwardHistoryEntry', {
  description: 'One change in an award’s life.',
  fields: (t) => ({
    sequence: t.exposeInt('sequence', {
      description: 'Its place in the award’s history: 1 for the issue, then one more for each change, in the order the changes were committed.',
    }),
    action: t.expose('action', { type: AwardActionEnum, description: 'What happened.' }),
    reason: t.exposeString('reason', { nullable: true, description: 'Why, when a reason was given.' }),
    origin: t.expose('origin', { type: AwardChangeOriginEnum, description: 'Who made the change: a person’s request, automation, or expiry.' }),
    actor: t.relation('actorApiKey', {
      nullable: true,
      description: 'The API key that made the change; null when the platform made it (origin AUTOMATION or EXPIRY).',
    }),
    triggeredBy: t.relation('triggeredByApiKey', {
      nullable: true,
      description:
        'For origin AUTOMATION: the API key whose request (addPoints, startMembership, recordAction, …) led the rule to act; null for backfills, scheduled work and other origins.',
    }),
    at: t.expose('at', { type: 'DateTime', description: 'When it happened (taken once the change held its locks, so it never runs backwards along the history of one server).' }),
  }),
});

export const AwardRef = builder.prismaNode('Award', {
  description: 'A badge issued to an earner from one version of a template.',
  id: { field: 'id' },
  // A node that does not exist (or is another organization's) resolves to null, as Relay expects.
  nullable: true,
  // Load only the columns a query asks for.
  select: { id: true },
  findUnique: (id, context) => ({ id, organizationId: context.auth.current.organizationId }),
  fields: (t) => ({
    template: t.relation('template', { description: 'The template it was issued from.' }),
    templateVersion: t.relation('templateVersion', { description: 'The template version it was issued from; later edits do not change it.' }),
    earner: t.relation('earner', { description: 'Who holds it.' }),
    organization: t.relation('organization', { description: 'Who issued it.' }),
    recipientName: t.exposeString('recipientName', { description: 'The recipient’s full name, as issued.' }),
    recipientFirstName: t.exposeString('recipientFirstName', { nullable: true, description: 'First name, when given separately.' }),
    recipientLastName: t.exposeString('recipientLastName', { nullable: true, description: 'Last name, when given separately.' }),
    recipientEmail: t.exposeString('recipientEmail', { description: 'The recipient’s email, as issued.' }),
    status: t.field({
      type: AwardStatusEnum,
      description: 'Current status; an award past its expiry reads EXPIRED.',
      select: { status: true, expiresAt: true },
      resolve: (award, _args, context) => {
        const now = context.deps.clock.now();
        const status = effectiveStatus(award, now);
        if ((status === 'PENDING' || status === 'ACCEPTED') && award.expiresAt) validUntil(context, award.expiresAt);
        return status;
      },
    }),
    imported: t.exposeBoolean('imported', { description: 'True when imported from another system rather than issued here.' }),
    source: t.expose('source', {
      type: AwardSourceEnum,
      description:
        'MANUAL, or AUTOMATION when the template’s award rule issued it. Automated awards are issued ACCEPTED (the earner earned them by what they did); manual ones PENDING unless issued with `accepted: true`.',
    }),
    imageUrl: t.exposeString('imageUrl', { nullable: true, description: 'Badge image.' }),
    imageHighResolutionUrl: t.exposeString('imageHighResolutionUrl', { nullable: true, description: 'High-resolution badge image.' }),
    imageThumbnailUrl: t.exposeString('imageThumbnailUrl', { nullable: true, description: 'Thumbnail badge image.' }),
    activityTitle: t.exposeString('activityTitle', { nullable: true, description: 'The activity the award is for.' }),
    activityStartedAt: t.expose('activityStartedAt', { type: 'DateTime', nullable: true, description: 'When the activity started.' }),
    activityEndedAt: t.expose('activityEndedAt', { type: 'DateTime', nullable: true, description: 'When the activity ended.' }),
    notes: t.exposeString('notes', { nullable: true, description: 'The issuer’s notes.' }),
    additionalDetails: t.expose('additionalDetails', {
      type: 'JSONObject',
      nullable: true,
      description: 'Any further details, as a JSON object.',
    }),
    publicId: t.exposeString('publicId', { description: 'Unguessable id used in public links.' }),
    publicUrl: t.string({
      description: 'The award’s public page.',
      select: { publicId: true, organization: { select: { whitelabelHost: true } } },
      resolve: (award, _args, context) =>
        publicAwardUrl(context.deps.config, award.organization.whitelabelHost, award.publicId),
    }),
    issuedAt: t.expose('issuedAt', { type: 'DateTime', description: 'When it was issued (may be backdated).' }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', nullable: true, description: 'When it expires; null means never.' }),
    acceptedAt: t.expose('acceptedAt', { type: 'DateTime', nullable: true, description: 'When the earner accepted it.' }),
    rejectedAt: t.expose('rejectedAt', { type: 'DateTime', nullable: true, description: 'When the earner declined it.' }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true, description: 'When it was revoked.' }),
    revokedReason: t.exposeString('revokedReason', { nullable: true, description: 'Why it was revoked.' }),
    legacyId: t.exposeString('legacyId', { nullable: true, description: 'Its id in the system it was migrated from.' }),
    idempotencyKey: t.exposeString('idempotencyKey', { nullable: true, description: 'The idempotency key it was issued with.' }),
    history: t.relation('history', {
      description: 'Every change, in the order the changes were committed (oldest first); the last one gives the current status.',
      query: { orderBy: { sequence: 'asc' } },
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the record was created (UTC).' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When the record last changed (UTC).' }),
  }),
});

const AwardConnection = connectionType(AwardRef, 'Award', 'awards');

const relatedAwards = {
  cursor: 'id' as const,
  query: { orderBy: [{ issuedAt: 'desc' as const }, { id: 'desc' as const }] },
  totalCount: true as const,
  ...pageSize,
};

builder.prismaObjectField('BadgeTemplate', 'awards', (t) =>
  t.relatedConnection(
    'awards',
    { ...relatedAwards, description: 'Awards issued from this template, most recently issued first; Query.awards filters further.' },
    AwardConnection,
  ),
);

builder.prismaObjectField('Earner', 'awards', (t) =>
  t.relatedConnection('awards', { ...relatedAwards, description: 'The earner’s awards, most recently issued first.' }, AwardConnection),
);

const AwardFilterInput = builder.inputType('AwardFilter', {
  description: 'Narrows the awards list; conditions combine with AND.',
  fields: (t) => ({
    templateId: t.id({ description: 'Issued from this template.' }),
    earnerId: t.id({ description: 'Held by this earner.' }),
    statuses: t.field({ type: [AwardStatusEnum], description: 'Any of these statuses (expiry is derived from dates).' }),
    issuedAfter: t.field({ type: 'DateTime', description: 'Issued at or after this instant.' }),
    issuedBefore: t.field({ type: 'DateTime', description: 'Issued before this instant.' }),
    search: t.string({ description: 'Substring of the recipient field named by searchField (case-insensitive).' }),
    searchField: t.field({ type: AwardSearchFieldEnum, description: 'Where `search` looks: NAME (default) or EMAIL.' }),
    legacyId: t.string({ description: 'Has this legacy id.' }),
    imported: t.boolean({ description: 'Imported (true) or issued here (false).' }),
    source: t.field({ type: AwardSourceEnum, description: 'Issued by people (MANUAL) or by an award rule (AUTOMATION).' }),
  }),
});

function decodeFilter(filter: typeof AwardFilterInput.$inferInput | null | undefined): AwardFilter {
  if (!filter) return {};
  return {
    ...filter,
    templateId: decodeOptionalId('BadgeTemplate', filter.templateId, 'filter.templateId'),
    earnerId: decodeOptionalId('Earner', filter.earnerId, 'filter.earnerId'),
  };
}

builder.queryFields((t) => ({
  awards: t.prismaConnection(
    {
      type: 'Award',
      cursor: 'id',
      description: 'The organization’s awards.',
      authScopes: { permission: 'read' },
      args: {
        filter: t.arg({ type: AwardFilterInput, description: 'Conditions the awards must meet.' }),
        orderBy: t.arg({ type: AwardOrderEnum, defaultValue: 'ISSUED_AT_DESC', description: 'The order of the list.' }),
      },
      ...pageSize,
      totalCount: (_parent, { filter }, context) =>
        context.deps.reader.award.count({
          where: awardWhere(context.auth.current.organizationId, decodeFilter(filter), context.deps.clock.now()),
        }),
      resolve: (query, _parent, { filter, orderBy }, context) =>
        context.deps.reader.award.findMany({
          ...query,
          where: awardWhere(context.auth.current.organizationId, decodeFilter(filter), context.deps.clock.now()),
          orderBy: [...AWARD_ORDERS[orderBy ?? 'ISSUED_AT_DESC']],
        }),
    },
    AwardConnection,
  ),
  award: t.prismaField({
    type: 'Award',
    nullable: true,
    description: 'One award; NOT_FOUND when it does not exist in the organization.',
    authScopes: { permission: 'read' },
    args: { id: t.arg.id({ required: true, description: 'The award’s id.' }) },
    resolve: async (query, _parent, { id }, context) => {
      const award = await context.deps.reader.award.findFirst({
        ...query,
        where: { id: decodeId('Award', id, 'id'), organizationId: context.auth.current.organizationId },
      });
      if (!award) throw new NotFoundError('award');
      return award;
    },
  }),
}));

export const RecipientInput = builder.inputType('RecipientInput', {
  description: 'Who receives an award: the name whole (at least 5 characters, a wide CJK character counting as two) or as first and last name.',
  fields: (t) => ({
    email: t.string({ required: true, description: 'Email address; identifies the earner unless externalId does.' }),
    name: t.string({ description: 'Full name, 5 to 200 characters (a wide CJK character counts as two toward the 5). Required unless firstName and lastName are both given.' }),
    firstName: t.string({ description: 'First name (at most 100 characters).' }),
    lastName: t.string({ description: 'Last name (at most 100 characters).' }),
    externalId: t.string({ description: 'Your id for this person; when known, it identifies the earner before the email does.' }),
  }),
});

const awardDetailFields = (t: InputFieldBuilder) => ({
  activityTitle: t.string({ description: 'The activity the award is for (at most 500 characters).' }),
  activityStartedAt: t.field({ type: 'DateTime', description: 'When the activity started.' }),
  activityEndedAt: t.field({ type: 'DateTime', description: 'When the activity ended; not before it started.' }),
  notes: t.string({ description: 'Notes (at most 10000 characters).' }),
  additionalDetails: t.field({ type: 'JSONObject', description: 'Any further details, as a JSON object of at most 16 KiB.' }),
});

const IssueAwardInput = builder.inputType('IssueAwardInput', {
  description: 'One award to issue.',
  fields: (t) => ({
    templateId: t.id({ required: true, description: 'An ACTIVE template of the organization.' }),
    recipient: t.field({ type: RecipientInput, required: true, description: 'Who receives it; the earner is found or created.' }),
    issuedAt: t.field({ type: 'DateTime', description: 'Issue date; now when omitted; not in the future.' }),
    expiresAt: t.field({
      type: 'DateTime',
      description: 'Expiry, after issuedAt. Omitted: the template’s validityDays apply; null: never expires.',
    }),
    ...awardDetailFields(t),
    imageUrl: t.string({ description: 'Image for this award only; the template’s when omitted.' }),
    imageHighResolutionUrl: t.string({ description: 'High-resolution image for this award only.' }),
    imageThumbnailUrl: t.string({ description: 'Thumbnail image for this award only.' }),
    imported: t.boolean({ description: 'Marks an award imported from another system.' }),
    accepted: t.boolean({ description: 'Issue it already ACCEPTED, skipping the earner’s claim (e.g. for imports).' }),
    legacyId: t.string({ description: 'Its id in the system it is migrated from.' }),
    idempotencyKey: t.string({
      description: 'Retrying with the same key returns the first award instead of issuing another; reusing a key for a different request is a CONFLICT.',
    }),
    onDuplicate: t.field({ type: DuplicatePolicyEnum, description: 'For ONCE templates the earner already holds: DENY (default), REPLACE or SKIP.' }),
  }),
});

const IssueAwardsInput = builder.inputType('IssueAwardsInput', {
  description: `Up to ${MAX_BATCH} awards, issued all or nothing.`,
  fields: (t) => ({
    awards: t.field({ type: [IssueAwardInput], required: true, description: `The awards (1 to ${MAX_BATCH}).` }),
  }),
});

const IssueResultRef = builder.objectRef<IssueResult>('IssueAwardResult').implement({
  description: 'What issuing one award did.',
  fields: (t) => ({
    award: t.prismaField({
      type: 'Award',
      description: 'The new award, or for ALREADY_HELD and IDEMPOTENT_REPLAY the existing one.',
      resolve: (query, result, _args, context) =>
        context.deps.reader.award.findUniqueOrThrow({ ...query, where: { id: result.awardId } }),
    }),
    outcome: t.field({ type: IssueOutcomeEnum, description: 'What happened.', resolve: (result) => result.outcome }),
    replacedAward: t.field({
      type: AwardRef,
      nullable: true,
      description: 'For REPLACED, the award that was revoked.',
      // Rarely asked for, so it loads the award alone; its nested fields load in batches.
      resolve: (result, _args, context) =>
        result.replacedAwardId ? context.deps.reader.award.findUnique({ where: { id: result.replacedAwardId } }) : null,
    }),
  }),
});

const IssueAwardsPayload = builder.objectRef<IssueResult[]>('IssueAwardsPayload').implement({
  description: 'What a bulk issue did, row by row in input order.',
  fields: (t) => ({
    results: t.field({ type: [IssueResultRef], description: 'One result per input row, in order.', resolve: (results) => results }),
    issuedCount: t.int({
      description: 'How many new awards were issued.',
      resolve: (results) => results.filter((result) => result.outcome === 'ISSUED' || result.outcome === 'REPLACED').length,
    }),
  }),
});

const AwardIdInput = builder.inputType('AwardIdInput', {
  description: 'Names an award.',
  fields: (t) => ({ id: t.id({ required: true, description: 'The award’s id.' }) }),
});

const AwardReasonInput = builder.inputType('AwardReasonInput', {
  description: 'Names an award, with an optional reason kept in its history.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'The award’s id.' }),
    reason: t.string({ description: 'Why (at most 1000 characters).' }),
  }),
});

const RevokeAwardInput = builder.inputType('RevokeAwardInput', {
  description: 'An award to revoke, and why.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'The award’s id.' }),
    reason: t.string({ required: true, description: 'Why it is revoked (1 to 1000 characters); shown to the earner.' }),
  }),
});

const UpdateAwardInput = builder.inputType('UpdateAwardInput', {
  description: 'Changes to an award; omitted fields stay as they are, null clears.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'The award’s id.' }),
    expiresAt: t.field({
      type: 'DateTime',
      description: 'New expiry, after issuedAt; null: never. Moving an expired award’s expiry into the future makes it live again.',
    }),
    ...awardDetailFields(t),
  }),
});

const AwardPayload = builder.objectRef<{ awardId: string }>('AwardPayload').implement({
  description: 'The award a mutation changed.',
  fields: (t) => ({
    award: t.prismaField({
      type: 'Award',
      description: 'The award, as it is now.',
      resolve: (query, payload, _args, context) =>
        context.deps.reader.award.findUniqueOrThrow({ ...query, where: { id: payload.awardId } }),
    }),
  }),
});

const DeleteAwardPayload = builder.objectRef<{ awardId: string }>('DeleteAwardPayload').implement({
  description: 'The award that was deleted.',
  fields: (t) => ({
    deletedAwardId: t.globalID({ description: 'The id the award had.', resolve: (payload) => ({ type: 'Award', id: payload.awardId }) }),
  }),
});

/** Turns GraphQL rows into service rows, reporting every malformed template id at once. */
function decodeIssueRows(
  rows: Array<typeof IssueAwardInput.$inferInput>,
  field: (index: number, name: string) => string,
): IssueAwardInput[] {
  const issues: FieldIssue[] = [];
  const decoded = rows.map((row, index) => {
    try {
      return { ...row, templateId: decodeId('BadgeTemplate', row.templateId, field(index, 'templateId')) };
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      issues.push(...error.issues);
      return undefined;
    }
  });
  if (issues.length) throw new ValidationError(issues);
  return decoded as IssueAwardInput[];
}

const singleField = (_index: number, name: string) => name;
const bulkField = (index: number, name: string) => `awards[${index}].${name}`;

builder.mutationFields((t) => ({
  issueAward: t.field({
    type: IssueResultRef,
    description:
      'Issues an award from an ACTIVE template, finding or creating the earner. Honors the template’s mode (see onDuplicate) and the idempotency key. Needs `awards:issue`.',
    authScopes: { permission: 'awards:issue' },
    args: { input: t.arg({ type: IssueAwardInput, required: true, description: 'The award to issue.' }) },
    resolve: async (_root, { input }, context) => {
      const [result] = await issueAwards(context.deps, context.auth.current, decodeIssueRows([input], singleField), singleField);
      return result!;
    },
  }),
  issueAwards: t.field({
    type: IssueAwardsPayload,
    description: `Issues up to ${MAX_BATCH} awards in one transaction, all or nothing: if any row breaks a rule, the error lists every broken rule (fields named awards[i]....) and nothing is issued. Needs \`awards:issue\`.`,
    authScopes: { permission: 'awards:issue' },
    complexity: 100,
    args: { input: t.arg({ type: IssueAwardsInput, required: true, description: 'The awards to issue.' }) },
    resolve: (_root, { input }, context) =>
      issueAwards(context.deps, context.auth.current, decodeIssueRows(input.awards, bulkField), bulkField),
  }),
  acceptAward: t.field({
    type: AwardPayload,
    description: 'Records that the earner accepted a pending award (for an earner-facing claim flow). Needs `awards:issue`.',
    authScopes: { permission: 'awards:issue' },
    args: { input: t.arg({ type: AwardIdInput, required: true, description: 'The award.' }) },
    resolve: async (_root, { input }, context) => ({
      awardId: (await acceptAward(context.deps, context.auth.current, decodeId('Award', input.id, 'id'))).id,
    }),
  }),
  rejectAward: t.field({
    type: AwardPayload,
    description: 'Records that the earner declined a pending award. Needs `awards:issue`.',
    authScopes: { permission: 'awards:issue' },
    args: { input: t.arg({ type: AwardReasonInput, required: true, description: 'The award, and why.' }) },
    resolve: async (_root, { input }, context) => ({
      awardId: (await rejectAward(context.deps, context.auth.current, decodeId('Award', input.id, 'id'), input.reason)).id,
    }),
  }),
  revokeAward: t.field({
    type: AwardPayload,
    description: 'Revokes an award with a reason. Revoking a revoked award is a CONFLICT and changes nothing. Needs `awards:revoke`.',
    authScopes: { permission: 'awards:revoke' },
    args: { input: t.arg({ type: RevokeAwardInput, required: true, description: 'The award to revoke, and why.' }) },
    resolve: async (_root, { input }, context) => ({
      awardId: (await revokeAward(context.deps, context.auth.current, decodeId('Award', input.id, 'id'), input.reason)).id,
    }),
  }),
  restoreAward: t.field({
    type: AwardPayload,
    description: 'Undoes a revocation; the history keeps both. Needs `awards:revoke`.',
    authScopes: { permission: 'awards:revoke' },
    args: { input: t.arg({ type: AwardReasonInput, required: true, description: 'The award, and why.' }) },
    resolve: async (_root, { input }, context) => ({
      awardId: (await restoreAward(context.deps, context.auth.current, decodeId('Award', input.id, 'id'), input.reason)).id,
    }),
  }),
  updateAward: t.field({
    type: AwardPayload,
    description: 'Changes an award’s notes, details, activity or expiry. Needs `awards:issue`.',
    authScopes: { permission: 'awards:issue' },
    args: { input: t.arg({ type: UpdateAwardInput, required: true, description: 'The award and the fields to change.' }) },
    resolve: async (_root, { input: { id, ...changes } }, context) => ({
      awardId: (await updateAward(context.deps, context.auth.current, decodeId('Award', id, 'id'), changes)).id,
    }),
  }),
  deleteAward: t.field({
    type: DeleteAwardPayload,
    description:
      'Deletes an award and its history for good, for erasure requests. To withdraw an award and keep the record, revoke it. Needs `awards:delete`.',
    authScopes: { permission: 'awards:delete' },
    args: { input: t.arg({ type: AwardIdInput, required: true, description: 'The award.' }) },
    resolve: async (_root, { input }, context) => ({
      awardId: (await deleteAward(context.deps, context.auth.current, decodeId('Award', input.id, 'id'))).id,
    }),
  }),
}));
