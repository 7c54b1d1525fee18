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
}

export interface TemplateEvent {
  kind: 'template';
  change: TemplateChange;
  organizationId: string;
  templateId: string;
  version: number;
  at: string;
}

export type DomainEvent = AwardEvent | TemplateEvent;

/** Receives events once their transaction has committed. */
export interface EventPublisher {
  publish(events: readonly DomainEvent[]): void;
}
