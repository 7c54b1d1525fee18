// Which committed domain events become webhook events, and under which type. The types mirror the
// GraphQL subscriptions: an award's changes, a template's, a finished automation job; `ping` is
// only ever sent by hand.
import type { DomainEvent } from '../../events/events.js';

export const WEBHOOK_EVENT_TYPES = [
  'award.issued',
  'award.accepted',
  'award.rejected',
  'award.revoked',
  'award.restored',
  'award.expired',
  'award.updated',
  'award.deleted',
  'template.created',
  'template.updated',
  'template.activated',
  'template.archived',
  'automation_job.completed',
  'ping',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export const WEBHOOK_EVENT_DESCRIPTIONS: Record<WebhookEventType, string> = {
  'award.issued': 'An award was issued (by a request or by automation).',
  'award.accepted': 'The earner accepted an award.',
  'award.rejected': 'The earner declined an award.',
  'award.revoked': 'An award was revoked.',
  'award.restored': 'A revoked award was restored.',
  'award.expired': 'An award reached its expiry date.',
  'award.updated': 'An award’s details were changed.',
  'award.deleted': 'An award was deleted for good; the body carries its ids only.',
  'template.created': 'A badge template was created.',
  'template.updated': 'A badge template was changed (a new version).',
  'template.activated': 'A badge template was activated.',
  'template.archived': 'A badge template was archived.',
  'automation_job.completed': 'An automation job (a rule applied to every earner) finished.',
  'ping': 'A test event, sent only by pingWebhookEndpoint, whatever the endpoint subscribes to.',
};

export function isWebhookEventType(value: string): value is WebhookEventType {
  return (WEBHOOK_EVENT_TYPES as readonly string[]).includes(value);
}

/** The webhook event type of a domain event, or undefined when webhooks do not carry it. */
export function webhookTypeOf(event: DomainEvent): WebhookEventType | undefined {
  switch (event.kind) {
    case 'award':
      return `award.${event.change.toLowerCase()}` as WebhookEventType;
    case 'template':
      return `template.${event.change.toLowerCase()}` as WebhookEventType;
    case 'automationJob':
      return event.status === 'COMPLETED' ? 'automation_job.completed' : undefined;
    default:
      return undefined;
  }
}
