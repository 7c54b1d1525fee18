// The enums of automation.
import { builder } from '../../../graphql/builder.js';

export const AwardRuleKindEnum = builder.enumType('AwardRuleKind', {
  description: 'What an award rule watches.',
  values: {
    POINTS: { description: 'An earner’s points balance in one category.' },
    MEMBERSHIP: { description: 'An earner’s active memberships of products.' },
    ACTION: { description: 'The actions an earner performed.' },
  },
});

export const AutomationJobStatusEnum = builder.enumType('AutomationJobStatus', {
  description: 'Where a backfill job is.',
  values: {
    QUEUED: { description: 'Waiting for a server to run it (within seconds).' },
    RUNNING: { description: 'Applying the rule, a batch of earners at a time.' },
    COMPLETED: { description: 'Every earner was reconciled with the rule.' },
    FAILED: { description: 'Stopped by an error (see `error`); batches already done stay done. Setting the rule again retries.' },
    SUPERSEDED: { description: 'Stopped because the rule changed, was removed, or its template was archived; a newer job (if any) does the work.' },
  },
});

export const MembershipStatusEnum = builder.enumType('MembershipStatus', {
  description: 'Whether a membership is running.',
  values: {
    ACTIVE: { description: 'Running: started, and neither ended nor past its end date.' },
    ENDED: { description: 'Cancelled, removed, or past its end date.' },
  },
});

export const MembershipEndReasonEnum = builder.enumType('MembershipEndReason', {
  description: 'Why a membership ended.',
  values: {
    CANCELLED: { description: 'The earner cancelled it.' },
    REMOVED: { description: 'The organization removed the earner.' },
    EXPIRED: { description: 'It reached its end date.' },
  },
});

export const EndMembershipReasonEnum = builder.enumType('EndMembershipReason', {
  description: 'Why a membership is being ended now.',
  values: {
    CANCELLED: { description: 'The earner cancelled it.' },
    REMOVED: { description: 'The organization removed the earner.' },
  },
});
