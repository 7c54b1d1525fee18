// GraphQL for webhooks: thin resolvers over ./service.ts. Every field needs `webhooks:manage`:
// endpoints' URLs and deliveries' bodies are the organization's integration details.
import { builder } from '../../graphql/builder.js';
import { decodeId, decodeOptionalId } from '../../graphql/ids.js';
import type { Context } from '../../graphql/context.js';
import { record, tenantNode } from '../../graphql/nodes.js';
import { connectionType, pageSize } from '../../graphql/pagination.js';
import type { Prisma } from '../../generated/prisma-sqlite/client.js';
import { NotFoundError } from '../../shared/errors.js';
import { WEBHOOK_EVENT_DESCRIPTIONS, WEBHOOK_EVENT_TYPES } from './events.js';
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  endpointEvents,
  MAX_ENDPOINTS,
  pingWebhookEndpoint,
  redeliverWebhookDelivery,
  rotateWebhookSecret,
  setWebhookEndpointEnabled,
  SUBSCRIBABLE,
  updateWebhookEndpoint,
} from './service.js';

const MANAGE = { permission: 'webhooks:manage' } as const;

/**
 * Found like any tenant node, but by keys with `webhooks:manage` only: `node` needs just `read`,
 * and for a key without the permission a webhook id resolves to null, as an unknown id does.
 * (A scope on the type would make every id resolve asynchronously.)
 */
const managedNode = {
  ...tenantNode,
  findUnique: (id: string, context: Context) => ({
    id,
    organizationId: context.auth.current.permissions.has('webhooks:manage') ? context.auth.current.organizationId : '',
  }),
};

const WebhookDeliveryStatusEnum = builder.enumType('WebhookDeliveryStatus', {
  description: 'Where a delivery is in the webhook outbox.',
  values: {
    QUEUED: { description: 'Recorded with its change; waiting to be sent, or to be retried after a failure (see nextAttemptAt).' },
    DELIVERED: { description: 'The endpoint answered with a 2xx status.' },
    FAILED: { description: 'Given up: the endpoint kept failing for the whole retry window (3 days by default).' },
  },
});

const WebhookEventTypeRef = builder.objectRef<{ name: string; description: string }>('WebhookEventType').implement({
  description: 'A kind of event webhooks carry.',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'The name an endpoint subscribes with and the `type` of the body, e.g. `award.issued`.' }),
    description: t.exposeString('description', { description: 'When it is sent.' }),
  }),
});

export const WebhookEndpointRef = builder.prismaNode('WebhookEndpoint', {
  description: 'A URL of the organization that is POSTed the events it subscribes to, signed in the Standard Webhooks style.',
  ...managedNode,
  fields: (t) => ({
    url: t.exposeString('url', { description: 'Where events are POSTed.' }),
    description: t.exposeString('description', { nullable: true, description: 'What the endpoint is for.' }),
    events: t.stringList({
      description: 'The event types it receives (see webhookEventTypes).',
      select: { events: true },
      resolve: (endpoint) => endpointEvents(endpoint),
    }),
    enabled: t.boolean({ description: 'False while it is disabled and receives nothing.', select: { disabledAt: true }, resolve: (endpoint) => endpoint.disabledAt === null }),
    disabledAt: t.expose('disabledAt', { type: 'DateTime', nullable: true, description: 'When it was disabled.' }),
    disabledReason: t.exposeString('disabledReason', { nullable: true, description: 'Why it was disabled: by hand, or after repeated failed deliveries.' }),
    consecutiveFailures: t.exposeInt('consecutiveFailures', { description: 'Deliveries given up in a row since the last success.' }),
    previousSecretValidUntil: t.expose('previousSecretUntil', {
      type: 'DateTime',
      nullable: true,
      description: 'After rotateWebhookSecret: until when requests also carry a signature made with the secret before it.',
    }),
    deliveries: t.relatedConnection(
      'deliveries',
      {
        description: 'Its deliveries, newest first.',
        cursor: 'id',
        query: { orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] },
        totalCount: true,
        ...pageSize,
      },
      WebhookDeliveryConnection,
    ),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was created (UTC).' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When it last changed (UTC).' }),
  }),
});

export const WebhookDeliveryRef = builder.prismaNode('WebhookDelivery', {
  description: 'One event for one endpoint: written in the transaction of the change, then POSTed with retries (at least once, in no particular order).',
  ...managedNode,
  fields: (t) => ({
    endpoint: t.relation('endpoint', { description: 'Where it goes.' }),
    eventId: t.exposeString('eventId', { description: 'The event’s id, sent as `webhook-id`: the same for every attempt, endpoint and redelivery, for receivers to drop duplicates.' }),
    eventType: t.exposeString('eventType', { description: 'The event type, e.g. `award.issued`.' }),
    payload: t.string({ description: 'The JSON body, exactly as sent.', select: { payload: true }, resolve: (delivery) => delivery.payload }),
    status: t.expose('status', { type: WebhookDeliveryStatusEnum, description: 'QUEUED, DELIVERED or FAILED.' }),
    attempts: t.exposeInt('attempts', { description: 'Attempts so far.' }),
    lastResponseCode: t.exposeInt('lastResponseCode', { nullable: true, description: 'The HTTP status of the last attempt; null when none came (timeout, refused address, connection error).' }),
    lastResponseExcerpt: t.exposeString('lastResponseExcerpt', { nullable: true, description: 'The start of the last response body (at most 500 characters), or why no response came.' }),
    lastError: t.exposeString('lastError', { nullable: true, description: 'Why the last attempt failed.' }),
    lastAttemptAt: t.expose('lastAttemptAt', { type: 'DateTime', nullable: true, description: 'When it was last tried.' }),
    nextAttemptAt: t.expose('nextAttemptAt', { type: 'DateTime', description: 'When a QUEUED delivery is (re)tried next.' }),
    deliveredAt: t.expose('deliveredAt', { type: 'DateTime', nullable: true, description: 'When the endpoint accepted it.' }),
    failedAt: t.expose('failedAt', { type: 'DateTime', nullable: true, description: 'When it was given up.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was recorded (with its change).' }),
  }),
});

const WebhookEndpointConnection = connectionType(WebhookEndpointRef, 'WebhookEndpoint', 'webhook endpoints');
const WebhookDeliveryConnection = connectionType(WebhookDeliveryRef, 'WebhookDelivery', 'webhook deliveries');

const WebhookDeliveryFilterInput = builder.inputType('WebhookDeliveryFilter', {
  description: 'Narrows the list of deliveries; conditions combine with AND.',
  fields: (t) => ({
    endpointId: t.id({ description: 'To this endpoint.' }),
    statuses: t.field({ type: [WebhookDeliveryStatusEnum], description: 'Any of these statuses.' }),
    eventId: t.string({ description: 'Of this event (its deliveries to every endpoint, and redeliveries).' }),
  }),
});

function deliveryWhere(organizationId: string, filter: typeof WebhookDeliveryFilterInput.$inferInput | null | undefined): Prisma.WebhookDeliveryWhereInput {
  const endpointId = decodeOptionalId('WebhookEndpoint', filter?.endpointId, 'filter.endpointId');
  return {
    organizationId,
    ...(endpointId ? { endpointId } : {}),
    ...(filter?.statuses?.length ? { status: { in: filter.statuses } } : {}),
    ...(filter?.eventId ? { eventId: filter.eventId } : {}),
  };
}

builder.queryFields((t) => ({
  webhookEventTypes: t.field({
    type: [WebhookEventTypeRef],
    description: 'Every event type webhooks carry; all but `ping` can be subscribed to.',
    authScopes: { authenticated: true },
    resolve: () => WEBHOOK_EVENT_TYPES.map((name) => ({ name, description: WEBHOOK_EVENT_DESCRIPTIONS[name] })),
  }),
  webhookEndpoints: t.prismaConnection(
    {
      type: 'WebhookEndpoint',
      cursor: 'id',
      description: 'The organization’s webhook endpoints, newest first. Needs `webhooks:manage`.',
      authScopes: MANAGE,
      ...pageSize,
      totalCount: (_parent, _args, context) => context.deps.reader.webhookEndpoint.count({ where: { organizationId: context.auth.current.organizationId } }),
      resolve: (query, _parent, _args, context) =>
        context.deps.reader.webhookEndpoint.findMany({
          ...query,
          where: { organizationId: context.auth.current.organizationId },
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        }),
    },
    WebhookEndpointConnection,
  ),
  webhookEndpoint: t.prismaField({
    type: 'WebhookEndpoint',
    nullable: true,
    description: 'One webhook endpoint; NOT_FOUND when it does not exist in the organization. Needs `webhooks:manage`.',
    authScopes: MANAGE,
    args: { id: t.arg.id({ required: true, description: 'The endpoint’s id.' }) },
    resolve: async (query, _parent, { id }, context) => {
      const endpoint = await context.deps.reader.webhookEndpoint.findFirst({
        ...query,
        where: { id: decodeId('WebhookEndpoint', id, 'id'), organizationId: context.auth.current.organizationId },
      });
      if (!endpoint) throw new NotFoundError('webhook endpoint');
      return endpoint;
    },
  }),
  webhookDeliveries: t.prismaConnection(
    {
      type: 'WebhookDelivery',
      cursor: 'id',
      description: 'The organization’s webhook deliveries, newest first. Needs `webhooks:manage`.',
      authScopes: MANAGE,
      args: { filter: t.arg({ type: WebhookDeliveryFilterInput, description: 'Conditions the deliveries must meet.' }) },
      ...pageSize,
      totalCount: (_parent, { filter }, context) =>
        context.deps.reader.webhookDelivery.count({ where: deliveryWhere(context.auth.current.organizationId, filter) }),
      resolve: (query, _parent, { filter }, context) =>
        context.deps.reader.webhookDelivery.findMany({
          ...query,
          where: deliveryWhere(context.auth.current.organizationId, filter),
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        }),
    },
    WebhookDeliveryConnection,
  ),
}));

const CreateWebhookEndpointInput = builder.inputType('CreateWebhookEndpointInput', {
  description: 'A webhook endpoint to create.',
  fields: (t) => ({
    url: t.string({
      required: true,
      description: 'An http(s) URL; loopback, private and link-local addresses are refused unless the operator allows them (WEBHOOK_ADDRESSES=all).',
    }),
    events: t.stringList({ required: true, description: `Event types to receive, at least one of: ${SUBSCRIBABLE.join(', ')}.` }),
    description: t.string({ description: 'What it is for (at most 500 characters, one line).' }),
  }),
});

const UpdateWebhookEndpointInput = builder.inputType('UpdateWebhookEndpointInput', {
  description: 'Changes to a webhook endpoint; fields left out stay as they are.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'The endpoint.' }),
    url: t.string({ description: 'A new URL, under the same rules as at creation.' }),
    events: t.stringList({ description: 'The new list of event types (replaces the old one).' }),
    description: t.string({ description: 'A new description; null clears it.' }),
  }),
});

const WebhookEndpointSecretPayload = builder.objectRef<{ endpointId: string; secret: string }>('WebhookEndpointSecretPayload').implement({
  description: 'An endpoint with its new signing secret.',
  fields: (t) => ({
    webhookEndpoint: record(t, 'WebhookEndpoint', 'The endpoint, as it is now.', (payload) => payload.endpointId),
    secret: t.exposeString('secret', {
      description: 'The signing secret (`whsec_` and base64), shown only now: give it to the receiver to verify `webhook-signature`.',
    }),
  }),
});

const WebhookEndpointPayload = builder.objectRef<{ endpointId: string }>('WebhookEndpointPayload').implement({
  description: 'The endpoint a mutation changed.',
  fields: (t) => ({ webhookEndpoint: record(t, 'WebhookEndpoint', 'The endpoint, as it is now.', (payload) => payload.endpointId) }),
});

const DeleteWebhookEndpointPayload = builder.objectRef<{ id: string }>('DeleteWebhookEndpointPayload').implement({
  description: 'The endpoint deleted.',
  fields: (t) => ({ deletedId: t.exposeID('id', { description: 'The global id the endpoint had.' }) }),
});

const WebhookDeliveryPayload = builder.objectRef<{ deliveryId: string }>('WebhookDeliveryPayload').implement({
  description: 'The delivery a mutation queued.',
  fields: (t) => ({ webhookDelivery: record(t, 'WebhookDelivery', 'The delivery, QUEUED until the worker sends it.', (payload) => payload.deliveryId) }),
});

builder.mutationFields((t) => ({
  createWebhookEndpoint: t.field({
    type: WebhookEndpointSecretPayload,
    description: `Registers a webhook endpoint (at most ${MAX_ENDPOINTS} per organization) and returns its signing secret, shown only once. Needs \`webhooks:manage\`.`,
    authScopes: MANAGE,
    args: { input: t.arg({ type: CreateWebhookEndpointInput, required: true, description: 'The endpoint.' }) },
    resolve: async (_root, { input }, context) => {
      const { endpoint, secret } = await createWebhookEndpoint(context.deps, context.auth.current, input);
      return { endpointId: endpoint.id, secret };
    },
  }),
  updateWebhookEndpoint: t.field({
    type: WebhookEndpointPayload,
    description: 'Changes an endpoint’s URL, events or description. Needs `webhooks:manage`.',
    authScopes: MANAGE,
    args: { input: t.arg({ type: UpdateWebhookEndpointInput, required: true, description: 'The changes.' }) },
    resolve: async (_root, { input: { id, ...changes } }, context) => ({
      endpointId: (await updateWebhookEndpoint(context.deps, context.auth.current, decodeId('WebhookEndpoint', id, 'id'), changes)).id,
    }),
  }),
  disableWebhookEndpoint: t.field({
    type: WebhookEndpointPayload,
    description: 'Stops sending to an endpoint; its queued deliveries wait until it is enabled. Needs `webhooks:manage`.',
    authScopes: MANAGE,
    args: {
      id: t.arg.id({ required: true, description: 'The endpoint’s id.' }),
      reason: t.arg.string({ description: 'Why (at most 500 characters, one line).' }),
    },
    resolve: async (_root, { id, reason }, context) => ({
      endpointId: (await setWebhookEndpointEnabled(context.deps, context.auth.current, decodeId('WebhookEndpoint', id, 'id'), false, reason)).id,
    }),
  }),
  enableWebhookEndpoint: t.field({
    type: WebhookEndpointPayload,
    description: 'Sends to an endpoint again, queued deliveries first, and clears its failure count. Needs `webhooks:manage`.',
    authScopes: MANAGE,
    args: { id: t.arg.id({ required: true, description: 'The endpoint’s id.' }) },
    resolve: async (_root, { id }, context) => ({
      endpointId: (await setWebhookEndpointEnabled(context.deps, context.auth.current, decodeId('WebhookEndpoint', id, 'id'), true)).id,
    }),
  }),
  deleteWebhookEndpoint: t.field({
    type: DeleteWebhookEndpointPayload,
    description: 'Deletes an endpoint with its deliveries; queued ones are never sent. Needs `webhooks:manage`.',
    authScopes: MANAGE,
    args: { id: t.arg.id({ required: true, description: 'The endpoint’s id.' }) },
    resolve: async (_root, { id }, context) => {
      await deleteWebhookEndpoint(context.deps, context.auth.current, decodeId('WebhookEndpoint', id, 'id'));
      return { id };
    },
  }),
  rotateWebhookSecret: t.field({
    type: WebhookEndpointSecretPayload,
    description:
      'Gives an endpoint a new signing secret, shown only now. For 24 hours requests carry a second signature made with the old one, so the receiver can switch without failed deliveries. Needs `webhooks:manage`.',
    authScopes: MANAGE,
    args: { id: t.arg.id({ required: true, description: 'The endpoint’s id.' }) },
    resolve: async (_root, { id }, context) => {
      const { endpoint, secret } = await rotateWebhookSecret(context.deps, context.auth.current, decodeId('WebhookEndpoint', id, 'id'));
      return { endpointId: endpoint.id, secret };
    },
  }),
  pingWebhookEndpoint: t.field({
    type: WebhookDeliveryPayload,
    description: 'Queues a `ping` event to an enabled endpoint, to test it. Needs `webhooks:manage`.',
    authScopes: MANAGE,
    args: { id: t.arg.id({ required: true, description: 'The endpoint’s id.' }) },
    resolve: async (_root, { id }, context) => ({
      deliveryId: (await pingWebhookEndpoint(context.deps, context.auth.current, decodeId('WebhookEndpoint', id, 'id'))).id,
    }),
  }),
  redeliverWebhookDelivery: t.field({
    type: WebhookDeliveryPayload,
    description: 'Sends a DELIVERED or FAILED delivery again, as a new delivery with the same event id and body. Needs `webhooks:manage`.',
    authScopes: MANAGE,
    args: { id: t.arg.id({ required: true, description: 'The delivery’s id.' }) },
    resolve: async (_root, { id }, context) => ({
      deliveryId: (await redeliverWebhookDelivery(context.deps, context.auth.current, decodeId('WebhookDelivery', id, 'id'))).id,
    }),
  }),
}));
