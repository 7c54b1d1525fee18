// Webhook endpoints of an organization, and the deliveries the webhook outbox writes for them.
// Deliveries are written by `recordDeliveries`, which the event bus runs inside every commit(),
// so a delivery exists exactly when its change committed.
import { randomBytes } from 'node:crypto';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { v7 as uuidv7 } from 'uuid';
import type { Actor, Deps } from '../../deps.js';
import { dialectFor } from '../../db/dialect.js';
import { commit, type Tx } from '../../db/transaction.js';
import type { DomainEvent, OrganizationEvent } from '../../events/events.js';
import type { EventRecorder } from '../../events/bus.js';
import type { WebhookDelivery, WebhookEndpoint } from '../../generated/prisma-sqlite/client.js';
import { hostAllowed } from '../../shared/addresses.js';
import { ConflictError, NotFoundError, ValidationError, type FieldIssue } from '../../shared/errors.js';
import { httpUrl, line, omittable, parseInput, z } from '../../shared/validation.js';
import { isWebhookEventType, WEBHOOK_EVENT_TYPES, webhookTypeOf, type WebhookEventType } from './events.js';
import { insertDeliveriesSql } from './deliveries.sql.js';
import { eventData } from './payloads.js';

/** Endpoints per organization: each event is written once per endpoint that wants it. */
export const MAX_ENDPOINTS = 20;

/** The types an endpoint may subscribe to (`ping` is always sent on demand). */
export const SUBSCRIBABLE = WEBHOOK_EVENT_TYPES.filter((type) => type !== 'ping');

/** A Standard Webhooks secret: `whsec_` and 32 random bytes in base64. */
function newSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

export function endpointEvents(endpoint: Pick<WebhookEndpoint, 'events'>): WebhookEventType[] {
  return endpoint.events.split(' ').filter(isWebhookEventType);
}

const eventsSchema = z
  .array(z.string())
  .min(1, 'must name at least one event type')
  .superRefine((values, context) => {
    values.forEach((value, index) => {
      if (!(SUBSCRIBABLE as readonly string[]).includes(value)) {
        context.addIssue({
          code: 'custom',
          path: [index],
          message: `is not an event type; use one of ${SUBSCRIBABLE.join(', ')}`,
          params: { rule: 'oneOf' },
        });
      }
    });
  })
  .transform((values) => SUBSCRIBABLE.filter((type) => values.includes(type)));

const createSchema = z.object({
  url: httpUrl(),
  events: eventsSchema,
  description: line(500).nullish(),
});

const updateSchema = z.object({
  url: omittable(httpUrl()),
  events: omittable(eventsSchema),
  description: line(500).nullish(),
});

/** Names and addresses are checked when the endpoint is set, and again at every delivery. */
async function addressIssues(deps: Deps, url: string | undefined): Promise<FieldIssue[]> {
  if (url === undefined) return [];
  const host = new URL(url).hostname;
  try {
    if (await hostAllowed(deps.config.webhookAddresses, host)) return [];
  } catch {
    return [{ field: 'url', rule: 'resolvableHost', message: `must have a host that resolves to an address; ${host} does not` }];
  }
  return [
    {
      field: 'url',
      rule: 'publicAddress',
      message: `must not point to a loopback, private or link-local address (${host}); the operator allows those with WEBHOOK_ADDRESSES=all`,
    },
  ];
}

async function parseAndCheck<Schema extends z.ZodType>(deps: Deps, schema: Schema, input: unknown): Promise<z.output<Schema>> {
  const parsed = parseInput(schema, input) as { url?: string };
  const issues = await addressIssues(deps, parsed.url);
  if (issues.length) throw new ValidationError(issues);
  return parsed as z.output<Schema>;
}

/** subjectId: the endpoint or delivery concerned; null for the deliveries of a change (the recorder's). */
function endpointEvent(
  actor: Pick<Actor, 'organizationId'>,
  subjectId: string | null,
  at: Date,
  change: OrganizationEvent['change'] = 'WEBHOOK_ENDPOINT_CHANGED',
): OrganizationEvent {
  return { kind: 'organization', change, organizationId: actor.organizationId, subjectId, at: at.toISOString() };
}

async function ownEndpoint(tx: Tx, actor: Actor, id: string): Promise<WebhookEndpoint> {
  const endpoint = await tx.webhookEndpoint.findFirst({ where: { id, organizationId: actor.organizationId } });
  if (!endpoint) throw new NotFoundError('webhook endpoint');
  return endpoint;
}

export async function createWebhookEndpoint(
  deps: Deps,
  actor: Actor,
  input: { url: string; events: string[]; description?: string | null },
): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  const parsed = await parseAndCheck(deps, createSchema, input);
  const now = deps.clock.now();
  return commit(deps, async (tx) => {
    const count = await tx.webhookEndpoint.count({ where: { organizationId: actor.organizationId } });
    if (count >= MAX_ENDPOINTS) {
      throw new ConflictError(`An organization has at most ${MAX_ENDPOINTS} webhook endpoints; delete one first.`, { rule: 'maxEndpoints', max: MAX_ENDPOINTS });
    }
    const secret = newSecret();
    const endpoint = await tx.webhookEndpoint.create({
      data: {
        id: uuidv7(),
        organizationId: actor.organizationId,
        url: parsed.url,
        events: parsed.events.join(' '),
        description: parsed.description ?? null,
        secret,
        createdAt: now,
        updatedAt: now,
      },
    });
    return { result: { endpoint, secret }, events: [endpointEvent(actor, endpoint.id, now)] };
  });
}

export async function updateWebhookEndpoint(
  deps: Deps,
  actor: Actor,
  id: string,
  input: { url?: string | null; events?: string[] | null; description?: string | null },
): Promise<WebhookEndpoint> {
  const parsed = await parseAndCheck(deps, updateSchema, input);
  const now = deps.clock.now();
  return commit(deps, async (tx) => {
    await ownEndpoint(tx, actor, id);
    const endpoint = await tx.webhookEndpoint.update({
      where: { id },
      data: {
        ...(parsed.url !== undefined ? { url: parsed.url } : {}),
        ...(parsed.events !== undefined ? { events: parsed.events.join(' ') } : {}),
        ...(parsed.description !== undefined ? { description: parsed.description } : {}),
        updatedAt: now,
      },
    });
    return { result: endpoint, events: [endpointEvent(actor, id, now)] };
  });
}

/** Disables (with a reason) or enables an endpoint; enabling clears the failure count. */
export async function setWebhookEndpointEnabled(deps: Deps, actor: Actor, id: string, enabled: boolean, reason?: string | null): Promise<WebhookEndpoint> {
  const { reason: checked } = parseInput(z.object({ reason: line(500).nullish() }), { reason });
  const now = deps.clock.now();
  return commit(deps, async (tx) => {
    const current = await ownEndpoint(tx, actor, id);
    const data = enabled
      ? { disabledAt: null, disabledReason: null, consecutiveFailures: 0, updatedAt: now }
      : { disabledAt: current.disabledAt ?? now, disabledReason: checked ?? 'Disabled by hand.', updatedAt: now };
    const endpoint = await tx.webhookEndpoint.update({ where: { id }, data });
    // Enabling wakes the workers: deliveries queued while it was disabled are due.
    return { result: endpoint, events: [endpointEvent(actor, id, now, enabled ? 'WEBHOOK_QUEUED' : 'WEBHOOK_ENDPOINT_CHANGED')] };
  });
}

/** Deletes an endpoint and its deliveries (queued ones are never sent). */
export async function deleteWebhookEndpoint(deps: Deps, actor: Actor, id: string): Promise<void> {
  const now = deps.clock.now();
  await commit(deps, async (tx) => {
    await ownEndpoint(tx, actor, id);
    await tx.webhookDelivery.deleteMany({ where: { endpointId: id } });
    await tx.webhookEndpoint.delete({ where: { id } });
    return { result: undefined, events: [endpointEvent(actor, id, now)] };
  });
}

/** How long the secret before a rotation keeps signing, beside the new one. */
export const SECRET_OVERLAP_MS = 24 * 3_600_000;

/**
 * A new secret, used from the next attempt on. Requests carry a signature with the old one too for
 * SECRET_OVERLAP_MS (Standard Webhooks allows several), so the receiver can switch in that time.
 */
export async function rotateWebhookSecret(deps: Deps, actor: Actor, id: string): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  const now = deps.clock.now();
  return commit(deps, async (tx) => {
    const current = await ownEndpoint(tx, actor, id);
    const secret = newSecret();
    const endpoint = await tx.webhookEndpoint.update({
      where: { id },
      data: { secret, previousSecret: current.secret, previousSecretUntil: new Date(now.getTime() + SECRET_OVERLAP_MS), updatedAt: now },
    });
    return { result: { endpoint, secret }, events: [endpointEvent(actor, id, now)] };
  });
}

function body(eventId: string, type: WebhookEventType, organizationId: string, at: string, data: object): string {
  return JSON.stringify({ id: eventId, type, timestamp: at, organizationId: encodeGlobalID('Organization', organizationId), data });
}

function enabledEndpoint(endpoint: WebhookEndpoint): void {
  if (endpoint.disabledAt) {
    throw new ConflictError('The endpoint is disabled; enable it first.', { field: 'id', rule: 'endpointEnabled', disabledReason: endpoint.disabledReason });
  }
}

/** Queues a `ping` to one endpoint. */
export async function pingWebhookEndpoint(deps: Deps, actor: Actor, id: string): Promise<WebhookDelivery> {
  const now = deps.clock.now();
  return commit(deps, async (tx) => {
    const endpoint = await ownEndpoint(tx, actor, id);
    enabledEndpoint(endpoint);
    const eventId = uuidv7();
    const delivery = await tx.webhookDelivery.create({
      data: {
        id: uuidv7(),
        organizationId: actor.organizationId,
        endpointId: id,
        eventId,
        eventType: 'ping',
        payload: body(eventId, 'ping', actor.organizationId, now.toISOString(), { endpoint: { id: encodeGlobalID('WebhookEndpoint', id) } }),
        nextAttemptAt: now,
        createdAt: now,
        updatedAt: now,
      },
    });
    return { result: delivery, events: [endpointEvent(actor, delivery.id, now, 'WEBHOOK_QUEUED')] };
  });
}

/**
 * Sends a delivered or failed event again, as a new delivery with the same event id and body (so
 * a receiver that already has it can tell), retried like any other.
 */
export async function redeliverWebhookDelivery(deps: Deps, actor: Actor, id: string): Promise<WebhookDelivery> {
  const now = deps.clock.now();
  return commit(deps, async (tx) => {
    const original = await tx.webhookDelivery.findFirst({ where: { id, organizationId: actor.organizationId }, include: { endpoint: true } });
    if (!original) throw new NotFoundError('webhook delivery');
    if (original.status === 'QUEUED') {
      throw new ConflictError('The delivery is still queued; it is retried without being asked.', { field: 'id', rule: 'statusIn:DELIVERED,FAILED', status: original.status });
    }
    enabledEndpoint(original.endpoint);
    const delivery = await tx.webhookDelivery.create({
      data: {
        id: uuidv7(),
        organizationId: original.organizationId,
        endpointId: original.endpointId,
        eventId: original.eventId,
        eventType: original.eventType,
        payload: original.payload,
        nextAttemptAt: now,
        createdAt: now,
        updatedAt: now,
      },
    });
    return { result: delivery, events: [endpointEvent(actor, delivery.id, now, 'WEBHOOK_QUEUED')] };
  });
}

const ROWS_PER_INSERT = 500;

/**
 * The webhook outbox's recorder: in the transaction of every change, one delivery per event and
 * enabled endpoint of its organization that subscribes to the event's type. A change no endpoint
 * wants costs one indexed read. Returns a WEBHOOK_QUEUED event per organization that got
 * deliveries, which wakes the workers: a change that queued none wakes nothing.
 */
export function webhookRecorder(deps: Deps): EventRecorder {
  return async (tx, events) => {
    const typed = events.flatMap((event) => {
      const type = webhookTypeOf(event);
      return type ? [{ event, type }] : [];
    });
    if (typed.length === 0) return [];
    const organizationIds = [...new Set(typed.map(({ event }) => event.organizationId))];
    const endpoints = await tx.webhookEndpoint.findMany({
      where: { organizationId: { in: organizationIds }, disabledAt: null },
      select: { id: true, organizationId: true, events: true },
    });
    if (endpoints.length === 0) return [];
    const wanted = typed
      .map(({ event, type }) => ({ event, type, endpoints: endpoints.filter((e) => e.organizationId === event.organizationId && endpointEvents(e).includes(type)) }))
      .filter((entry) => entry.endpoints.length > 0);
    if (wanted.length === 0) return [];
    const now = deps.clock.now();
    const data = await eventData(tx, deps.config, wanted.map(({ event }) => event as DomainEvent), now);
    const rows = wanted.flatMap(({ event, type, endpoints: targets }, index) => {
      const eventId = uuidv7();
      const payload = body(eventId, type, event.organizationId, event.at, data.get(index) ?? {});
      return targets.map((endpoint) => ({ id: uuidv7(), organizationId: event.organizationId, endpointId: endpoint.id, eventId, eventType: type, payload }));
    });
    const d = dialectFor(deps.provider);
    for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
      await tx.$executeRaw(insertDeliveriesSql(d, rows.slice(start, start + ROWS_PER_INSERT), now));
    }
    return [...new Set(rows.map((row) => row.organizationId))].map((organizationId) => endpointEvent({ organizationId }, null, now, 'WEBHOOK_QUEUED'));
  };
}
