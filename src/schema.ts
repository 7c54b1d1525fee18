// Assembles the schema: importing a module's schema registers its types with the builder.
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import './graphql/root.js';
import './modules/organizations/schema.js';
import './modules/api-keys/schema.js';
import './modules/templates/schema.js';
import './modules/earners/schema.js';
import './modules/awards/schema/index.js';
import './modules/credentials/schema/index.js';
import './modules/templates/subscriptions.js';
import './modules/automation/schema/index.js';
import './modules/points/schema.js';
import './modules/email/schema.js';
import './modules/leaderboards/schema.js';
import './modules/leaderboards/published-schema.js';
import './modules/engagement/schema.js';
import './modules/statistics/schema.js';
import './modules/webhooks/schema.js';
import './modules/exports/schema.js';
import './modules/imports/schema.js';
import './modules/credential-imports/schema.js';
import { builder } from './graphql/builder.js';

let schema: GraphQLSchema | undefined;

export function getSchema(): GraphQLSchema {
  schema ??= builder.toSchema({ sortSchema: false });
  return schema;
}

/** The SDL committed as schema/schema.graphql. */
export function printSchemaFile(): string {
  return `${printSchema(lexicographicSortSchema(getSchema()))}\n`;
}
