// Issuing and changing awards: thin resolvers that decode ids and call the services.
import { builder } from '../../../graphql/builder.js';
import { decodeId } from '../../../graphql/ids.js';
import { record } from '../../../graphql/nodes.js';
import { ValidationError, type FieldIssue } from '../../../shared/errors.js';
import { issueAwards, MAX_BATCH, type IssueAwardInput as IssueRow, type IssueResult } from '../issue.js';
import { acceptAward, deleteAward, rejectAward, restoreAward, revokeAward, updateAward } from '../lifecycle.js';
import { IssueOutcomeEnum } from './enums.js';
import { IssueAwardInput, IssueAwardsInput, awardDetailFields } from './inputs.js';
import { AwardRef } from './types.js';

const IssueResultRef = builder.objectRef<IssueResult>('IssueAwardResult').implement({
  description: 'What issuing one award did.',
  fields: (t) => ({
    award: record(t, 'Award', 'The new award, or for ALREADY_HELD and IDEMPOTENT_REPLAY the existing one.', (result) => result.awardId),
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
    award: record(t, 'Award', 'The award, as it is now.', (payload) => payload.awardId),
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
): IssueRow[] {
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
  return decoded as IssueRow[];
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
      const [row] = decodeIssueRows([input], singleField);
      return context.deps.issueGroups.issue(context.auth.current, row!, singleField);
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

