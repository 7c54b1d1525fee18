// What clients send to issue and change awards.
import { builder, type InputFieldBuilder } from '../../../graphql/builder.js';
import { MAX_BATCH } from '../issue.js';
import { RecipientInput } from '../../earners/schema.js';
import { DuplicatePolicyEnum } from './enums.js';
import { MAX_EVIDENCE } from '../evidence.js';

export const EvidenceInput = builder.inputType('EvidenceInput', {
  description: 'Something the earner did or made to earn the award, published with its credential.',
  fields: (t) => ({
    url: t.string({ required: true, description: 'Where the evidence is: an http(s) URL.' }),
    name: t.string({ description: 'A short title (at most 200 characters, one line).' }),
    narrative: t.string({ description: 'What it shows, in plain text or Markdown (at most 5000 characters).' }),
  }),
});

export const awardDetailFields = (t: InputFieldBuilder) => ({
  activityTitle: t.string({ description: 'The activity the award is for (at most 500 characters).' }),
  activityStartedAt: t.field({ type: 'DateTime', description: 'When the activity started.' }),
  activityEndedAt: t.field({ type: 'DateTime', description: 'When the activity ended; not before it started.' }),
  notes: t.string({ description: 'Notes (at most 10000 characters).' }),
  additionalDetails: t.field({ type: 'JSONObject', description: 'Any further details, as a JSON object of at most 16 KiB.' }),
  evidence: t.field({
    type: [EvidenceInput],
    description: `What the earner did or made to earn it (at most ${MAX_EVIDENCE} items); on update, replaces the list, and an empty list or null clears it.`,
  }),
});

export const IssueAwardInput = builder.inputType('IssueAwardInput', {
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

export const IssueAwardsInput = builder.inputType('IssueAwardsInput', {
  description: `Up to ${MAX_BATCH} awards, issued all or nothing.`,
  fields: (t) => ({
    awards: t.field({ type: [IssueAwardInput], required: true, description: `The awards (1 to ${MAX_BATCH}).` }),
  }),
});

