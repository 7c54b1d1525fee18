// Leaderboards: ranks of earners by points or awards, live. Other modules use them through this
// file only.
export { TOP_PAGE_FIELDS } from './cache-scope.js';
export { findPublishedBoard } from './published.js';
