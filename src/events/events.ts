// What the domain announces after a change has committed. Events are plain JSON (ISO dates,
// string ids) so they can cross process boundaries unchanged.

export type AwardChange = 'ISSUED' | 'ACCEPTED' | 'REJECTED' | 'REVOKED' | 'RESTORED' | 'EXPIRED' | 'UPDATED' | 'DELETED';
export type TemplateChange = 'CREATED' | 'UPDATED' | 'ACTIVATED' | 'ARCHIVED';

export interface AwardEvent {
  kind: 'award';
  change: AwardChange;
  organizationId: string;
  awardId: string;
  templateId: string;
  earnerId: string;
  at: string;
  /** The award's email was queued in the same transaction (its template sends one on issue). */
  emailQueued?: true;
}

export interface TemplateEvent {
  kind: 'template';
  change: TemplateChange;
  organizationId: string;
  templateId: string;
  version: number;
  at: string;
}

/** Changes to the organization's profile, its API keys, its earners, its outbox, its signing keys, its published boards or its webhooks. */
export interface OrganizationEvent {
  kind: 'organization';
  change:
    | 'PROFILE_UPDATED'
    | 'API_KEY_CREATED'
    | 'API_KEY_REVOKED'
    | 'API_KEY_USED'
    | 'EARNER_UPDATED'
    | 'EMAIL_QUEUED'
    | 'EMAIL_STATUS_CHANGED'
    | 'CREDENTIAL_KEYS_ROTATED'
    | 'LEADERBOARD_PUBLISHED'
    | 'LEADERBOARD_UNPUBLISHED'
    | 'WEBHOOK_ENDPOINT_CHANGED'
    | 'WEBHOOK_QUEUED'
    | 'WEBHOOK_STATUS_CHANGED';
  organizationId: string;
  /** The API key, earner, email message, published board, webhook endpoint or delivery concerned, when there is one. */
  subjectId: string | null;
  at: string;
}

/** Progress of an automation job (a rule applied to every earner). */
export interface AutomationJobEvent {
  kind: 'automationJob';
  organizationId: string;
  jobId: string;
  templateId: string;
  status: 'QUEUED' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'SUPERSEDED';
  at: string;
}

/** Progress of a CSV import job: queued, started, each batch, ended. */
export interface ImportJobEvent {
  kind: 'importJob';
  organizationId: string;
  jobId: string;
  status: 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  at: string;
}

/** Points recorded (addPoints, addPointsBatch): one event per committed change, whatever its size. */
export interface PointsEvent {
  kind: 'points';
  organizationId: string;
  /** The categories whose balances moved. */
  categories: string[];
  /**
   * The balances after the change, when it moved at most MAX_LISTED_BALANCES of them; absent for
   * larger batches, when a listener must assume any balance of `categories` moved.
   */
  balances?: Array<{ earnerId: string; category: string; balance: number }>;
  at: string;
}

/** A points event lists its balances up to this many (the event also crosses Redis). */
export const MAX_LISTED_BALANCES = 100;

/** An engagement event (view, share, ...) counted on an award's public page. */
export interface EngagementEvent {
  kind: 'engagement';
  organizationId: string;
  awardId: string;
  at: string;
}

export type DomainEvent = AwardEvent | TemplateEvent | OrganizationEvent | AutomationJobEvent | ImportJobEvent | PointsEvent | EngagementEvent;

/** An event as listeners receive it: stamped with the moment its transaction had committed. */
export type Committed<Event extends DomainEvent = DomainEvent> = Event & { committedAt: string };

/** Receives events once their transaction has committed. */
export interface EventPublisher {
  publish(events: readonly DomainEvent[]): void;
  /**
   * Writes what must exist exactly when the change commits (the webhook outbox), in the change's
   * own transaction, just before it commits. Called by commit() for every change; returns the
   * events that announce what was written (published with the change's own).
   */
  record?(tx: TransactionClient, events: readonly DomainEvent[]): Promise<readonly DomainEvent[]>;
}

/** An open transaction, as the recorders of ./bus.ts get it. */
export type TransactionClient = import('../db/transaction.js').Tx;
