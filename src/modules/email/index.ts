// Email about awards: what may be emailed, and what a queued message says. Other modules use it
// through this file only.
export { composeAwardEmail, sendAwardEmail, shareAward, MAX_SHARE_RECIPIENTS, type ShareAwardInput } from './service.js';
