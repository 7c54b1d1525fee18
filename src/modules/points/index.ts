// Points: what earners earn, entry by entry, and the balances kept from them. Other modules use
// points through this file only.
export { addPoints, DEFAULT_CATEGORY, MAX_POINTS_BATCH, type AddPointsInput, type PointsResult } from './add-points.js';
export { distinctGreaterSql, earnersSql, greaterThanSql, HISTOGRAM_WIDTH } from './histogram.sql.js';
