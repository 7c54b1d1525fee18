// Issuer statistics: awards and engagement over time. Other modules use them through this file only.
export { countsOf, engagementTotals, series, statisticsScope } from './service.js';
