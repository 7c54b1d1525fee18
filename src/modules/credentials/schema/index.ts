// The credentials part of the GraphQL schema.
import './awards.js';
import './issuer.js';
import './verify.js';
import './subscriptions.js';
