// Earners: the people awards are for, known to one organization.
export { findOrCreateEarners, recipientSchema, type Recipient, type RecipientInput } from './service.js';
export { earnerScopeSql, lockEarnerOfAward, lockEarners, type EarnerScope } from './locks.js';
export { earnerRef, requireOneEarner, resolveEarners } from './resolve.js';
