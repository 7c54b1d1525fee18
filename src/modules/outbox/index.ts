// The email outbox: messages queued in the transaction of the change that causes them, sent by a
// worker on every instance, with claims, retries and at-least-once delivery.
export { enqueueAwardEmails, queueMessages, type MessageContent } from './queue.js';
export { EmailOutbox, type Compose, type Composed, type OutboxOptions } from './worker.js';
export { createMailer, type Address, type Mailer, type OutgoingEmail } from './mailer.js';
