// Automation: templates that award by themselves, by points, memberships or actions. Other
// modules use automation through this file only.
export { awardForAction, recordAction, type AwardForActionOutcome, type RecordActionInput } from './actions.js';
export { AutomationJobs } from './jobs.js';
export { activeMembershipSql, membershipStatus, membershipStatusWhere } from './membership-status.js';
export { endDueMemberships, endMembership, startMembership, type StartMembershipInput } from './memberships.js';
export { applyPointsRules, pointsLevel, type BalanceChange } from './points-rules.js';
export { mergeReconciled, revocationReason, type Reconciled } from './reconcile.js';
export { identifier, jobEvent, lockRules, MAX_POINTS_LEVELS, queueBackfill, removeAwardRule, setAwardRule, toRule, type Rule } from './rules.js';
export { Scheduler } from './scheduler.js';
export { slotOf } from './slots.js';
