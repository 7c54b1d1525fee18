// The awards part of the GraphQL schema; other modules' schemas use the types exported here.
import './types.js';
import './queries.js';
import './mutations.js';
import './subscriptions.js';
import './public.js';

export { AwardSourceEnum, AwardStatusEnum } from './enums.js';
export { AwardConnection, AwardRef } from './types.js';
export { PublicAwardRef } from './public.js';
