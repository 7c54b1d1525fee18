// The email outbox: messages queued in the transaction of the change that causes them, sent by a
// worker on every instance, with claims, retries and at-least-once delivery. Its claim loop
// (./claims.ts) serves every outbox table, the webhook deliveries' too.
export { enqueueAwardEmails, queueMessages, type MessageContent } from './queue.js';
export { EmailOutbox, type Compose, type Composed, type OutboxOptions } from './worker.js';
export { createMailer, type Address, type Mailer, type OutgoingEmail } from './mailer.js';
export { ClaimWorker, type ClaimWorkerOptions, type OutboxTable } from './claims.js';
