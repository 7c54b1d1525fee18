// The enums of awards.
import { builder } from '../../../graphql/builder.js';
import { DUPLICATE_POLICIES } from '../issue.js';
import { SEARCH_FIELDS } from '../filters.js';

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

export const AwardSourceEnum = builder.enumType('AwardSource', {
  description: 'Who made an award.',
  values: {
    MANUAL: { description: 'Issued by issueAward or issueAwards. Automation never revokes it.' },
    AUTOMATION: {
      description: 'Issued by the template’s award rule (points, membership or action), or by awardForAction in its name. Automation may revoke and restore it.',
    },
  },
});

export const AwardActionEnum = builder.enumType('AwardAction', {
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

export const AwardSearchFieldEnum = builder.enumType('AwardSearchField', {
  description: 'Which recipient field `search` looks in.',
  values: Object.fromEntries(
    SEARCH_FIELDS.map((value) => [value, { description: value === 'NAME' ? 'The recipient’s name.' : 'The recipient’s email.' }]),
  ) as Record<(typeof SEARCH_FIELDS)[number], { description: string }>,
});

export const DuplicatePolicyEnum = builder.enumType('DuplicatePolicy', {
  description: 'What to do when the earner already holds a live award of a ONCE template.',
  values: {
    DENY: { description: 'Refuse with a CONFLICT error (the default).' },
    REPLACE: { description: 'Revoke the held award, with the reason "Replaced by a new award of the same badge.", and issue the new one.' },
    SKIP: { description: 'Issue nothing and return the held award.' },
  } satisfies Record<(typeof DUPLICATE_POLICIES)[number], { description: string }>,
});

export const IssueOutcomeEnum = builder.enumType('IssueOutcome', {
  description: 'What issuing did.',
  values: {
    ISSUED: { description: 'A new award was issued.' },
    REPLACED: { description: 'A new award was issued and the earner’s previous one revoked (onDuplicate: REPLACE).' },
    ALREADY_HELD: { description: 'Nothing was issued: the earner already holds this ONCE badge (onDuplicate: SKIP).' },
    IDEMPOTENT_REPLAY: { description: 'Nothing was issued: the idempotency key was used before; this is that award.' },
  },
});

export const AwardOrderEnum = builder.enumType('AwardOrder', {
  description: 'Orders for the awards list.',
  values: {
    ISSUED_AT_DESC: { description: 'Most recently issued first (the default).' },
    ISSUED_AT_ASC: { description: 'Earliest issued first.' },
    RECIPIENT_NAME_ASC: { description: 'By recipient name, A to Z.' },
  },
});

export const AWARD_ORDERS = {
  ISSUED_AT_DESC: [{ issuedAt: 'desc' }, { id: 'desc' }],
  ISSUED_AT_ASC: [{ issuedAt: 'asc' }, { id: 'asc' }],
  RECIPIENT_NAME_ASC: [{ recipientNameLower: 'asc' }, { id: 'asc' }],
} as const;

export const AwardChangeOriginEnum = builder.enumType('AwardChangeOrigin', {
  description: 'Who made a change to an award.',
  values: {
    MANUAL: { description: 'A request with an API key (`actor`) changed the award itself: issue, accept, reject, revoke, restore, update.' },
    AUTOMATION: {
      description: 'The template’s award rule, applied live (`triggeredBy` is the key whose points, membership or action led to it) or by a backfill.',
    },
    EXPIRY: { description: 'Time passed: the award’s expiry was recorded.' },
  },
});

