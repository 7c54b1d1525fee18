import { JSONObjectResolver } from 'graphql-scalars';
import { builder } from './builder.js';
import { DateTimeScalar } from './scalars.js';

builder.queryType({ description: 'Everything an API key can read. Every record is scoped to the key’s organization.' });
builder.mutationType({ description: 'Every change an API key can make, each in one transaction.' });

builder.addScalarType('DateTime', DateTimeScalar);
builder.addScalarType('JSONObject', JSONObjectResolver);

builder.subscriptionType({
  description:
    'Live changes of the key’s organization, over websockets (graphql-transport-ws on /graphql) or Server-Sent Events. Each event is delivered after its change has committed, once.',
});
