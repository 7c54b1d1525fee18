// Earners: the people awards are for, known to one organization.
export { findOrCreateEarners, recipientSchema, type Recipient, type RecipientInput } from './service.js';
export { earnerScopeSql, type EarnerScope } from './earners.sql.js';
export { lockEarnerOfAward, lockEarners } from './locks.js';
export { earnerRef, requireOneEarner, resolveEarners } from './resolve.js';
