// The automation part of the GraphQL schema; other modules' schemas use the types exported here.
import './rules.js';
import './jobs.js';
import './memberships.js';
import './actions.js';

export { AutomationEffectsRef } from './effects.js';
