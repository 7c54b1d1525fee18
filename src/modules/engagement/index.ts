// Engagement: views, shares, downloads and LinkedIn adds counted on awards' public pages. Other
// modules use engagement through this file only.
export { EngagementRecorder } from './recorder.js';
export { addCounts, awardEngagement, countersWhere, emptyCounters, engagementSalt, recordEngagement, SHARE_NETWORKS, type EngagementCounters } from './service.js';
