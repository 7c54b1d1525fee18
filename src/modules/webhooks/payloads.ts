// What a webhook body says about its subject: the award (or template, or job) as the GraphQL API
// shows it, with global ids and ISO dates, read in the transaction of the change so the body is
// the state that change committed, whatever happens afterwards.
import { encodeGlobalID } from '@pothos/plugin-relay';
import type { Config } from '../../config.js';
import type { Tx } from '../../db/transaction.js';
import type { DomainEvent } from '../../events/events.js';
import { effectiveStatus, publicAwardUrl } from '../awards/index.js';

const iso = (value: Date | null) => (value ? value.toISOString() : null);

/** The `data` of each event's body, keyed by the event's position in `events`. */
export async function eventData(tx: Tx, config: Config, events: readonly DomainEvent[], now: Date): Promise<Map<number, object>> {
  const data = new Map<number, object>();
  const awardIds = new Set<string>();
  const templateIds = new Set<string>();
  const jobIds = new Set<string>();
  for (const event of events) {
    if (event.kind === 'award' && event.change !== 'DELETED') awardIds.add(event.awardId);
    if (event.kind === 'template') templateIds.add(event.templateId);
    if (event.kind === 'automationJob') jobIds.add(event.jobId);
  }
  const awards = new Map<string, object>();
  const ids = [...awardIds];
  for (let start = 0; start < ids.length; start += 500) {
    const rows = await tx.award.findMany({
      where: { id: { in: ids.slice(start, start + 500) } },
      include: {
        template: { select: { id: true, name: true } },
        organization: { select: { whitelabelHost: true } },
      },
    });
    for (const award of rows) {
      awards.set(award.id, {
        id: encodeGlobalID('Award', award.id),
        status: effectiveStatus(award, now),
        template: { id: encodeGlobalID('BadgeTemplate', award.template.id), name: award.template.name },
        templateVersionNumber: award.templateVersionNumber,
        earner: { id: encodeGlobalID('Earner', award.earnerId) },
        recipientName: award.recipientName,
        recipientFirstName: award.recipientFirstName,
        recipientLastName: award.recipientLastName,
        recipientEmail: award.recipientEmail,
        imported: award.imported,
        source: award.source,
        imageUrl: award.imageUrl,
        activityTitle: award.activityTitle,
        activityStartedAt: iso(award.activityStartedAt),
        activityEndedAt: iso(award.activityEndedAt),
        notes: award.notes,
        additionalDetails: award.additionalDetails ?? null,
        publicId: award.publicId,
        publicUrl: publicAwardUrl(config, award.organization.whitelabelHost, award.publicId),
        issuedAt: iso(award.issuedAt),
        expiresAt: iso(award.expiresAt),
        acceptedAt: iso(award.acceptedAt),
        rejectedAt: iso(award.rejectedAt),
        revokedAt: iso(award.revokedAt),
        revokedReason: award.revokedReason,
        legacyId: award.legacyId,
        createdAt: iso(award.createdAt),
        updatedAt: iso(award.updatedAt),
      });
    }
  }
  const templates = new Map<string, object>();
  if (templateIds.size) {
    for (const template of await tx.badgeTemplate.findMany({ where: { id: { in: [...templateIds] } } })) {
      templates.set(template.id, {
        id: encodeGlobalID('BadgeTemplate', template.id),
        name: template.name,
        description: template.description,
        state: template.state,
        awardMode: template.awardMode,
        level: template.level,
        version: template.version,
        validityDays: template.validityDays,
        imageUrl: template.imageUrl,
        criteriaNarrative: template.criteriaNarrative,
        criteriaUrl: template.criteriaUrl,
        createdAt: iso(template.createdAt),
        updatedAt: iso(template.updatedAt),
      });
    }
  }
  const jobs = new Map<string, object>();
  if (jobIds.size) {
    for (const job of await tx.automationJob.findMany({ where: { id: { in: [...jobIds] } } })) {
      jobs.set(job.id, {
        id: encodeGlobalID('AutomationJob', job.id),
        template: { id: encodeGlobalID('BadgeTemplate', job.templateId) },
        status: job.status,
        totalEarners: job.totalEarners,
        processed: job.processed,
        awarded: job.awarded,
        restored: job.restored,
        revoked: job.revoked,
        startedAt: iso(job.startedAt),
        finishedAt: iso(job.finishedAt),
      });
    }
  }
  events.forEach((event, index) => {
    if (event.kind === 'award') {
      const award = awards.get(event.awardId) ?? {
        // Deleted (or gone): only what the event itself knows.
        id: encodeGlobalID('Award', event.awardId),
        template: { id: encodeGlobalID('BadgeTemplate', event.templateId) },
        earner: { id: encodeGlobalID('Earner', event.earnerId) },
      };
      data.set(index, { award });
    } else if (event.kind === 'template') {
      data.set(index, { template: templates.get(event.templateId) ?? { id: encodeGlobalID('BadgeTemplate', event.templateId) } });
    } else if (event.kind === 'automationJob') {
      data.set(index, { automationJob: jobs.get(event.jobId) ?? { id: encodeGlobalID('AutomationJob', event.jobId) } });
    }
  });
  return data;
}
