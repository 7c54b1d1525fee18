// Webhooks: endpoints an organization registers, and signed deliveries of its events, written in
// the transaction of each change (an outbox) and POSTed with retries. Other modules use webhooks
// through this file only.
export { WEBHOOK_EVENT_TYPES, type WebhookEventType } from './events.js';
export { webhookRecorder } from './service.js';
export { signatureHeaders } from './sender.js';
export { WebhookWorker } from './worker.js';
