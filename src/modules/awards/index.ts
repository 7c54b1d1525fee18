// Awards: badges issued to earners, their lifecycle and history, and their public face. Other
// modules use awards through this file only.
export { evidenceListSchema, readEvidence, type Evidence } from './evidence.js';
export { awardWhere, SEARCH_FIELDS, type AwardFilter } from './filters.js';
export { DUPLICATE_POLICIES, issueAwards, issueAwardsInTransaction, MAX_BATCH, type IssueAwardInput, type IssueResult } from './issue.js';
export { acceptAward, deleteAward, expireDueAwards, rejectAward, restoreAward, revokeAward, updateAward, type UpdateAwardInput } from './lifecycle.js';
export { publicAwardUrl } from './links.js';
export { findPublicAward, linkedInUrl, wasDeleted, type PublicAward } from './public.js';
export {
  dueToExpireSql,
  effectiveStatus,
  isLive,
  LIVE,
  liveSql,
  liveStatusOf,
  liveStatusSql,
  onceHoldKey,
  onceHoldKeySql,
  statusWhere,
  WITHDRAWN,
} from './status.js';
export { changeAwards, insertAwards, newPublicId, type AwardChanges, type HistoryNote, type NewAward, type Written, type WrittenAward } from './writer.js';
