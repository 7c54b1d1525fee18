// The award as clients read it: the node, its history entries, and the lists that hold it.
import { builder } from '../../../graphql/builder.js';
import { validUntil } from '../../../graphql/context.js';
import { tenantNode } from '../../../graphql/nodes.js';
import { connectionType, pageSize } from '../../../graphql/pagination.js';
import { publicAwardUrl } from '../links.js';
import { readEvidence, type Evidence } from '../evidence.js';
import { effectiveStatus } from '../status.js';
import { AwardActionEnum, AwardChangeOriginEnum, AwardSourceEnum, AwardStatusEnum } from './enums.js';

const EvidenceRef = builder.objectRef<Evidence>('Evidence').implement({
  description: 'Something the earner did or made to earn an award.',
  fields: (t) => ({
    url: t.exposeString('url', { description: 'Where the evidence is.' }),
    name: t.string({ nullable: true, description: 'A short title.', resolve: (evidence) => evidence.name ?? null }),
    narrative: t.string({ nullable: true, description: 'What it shows.', resolve: (evidence) => evidence.narrative ?? null }),
  }),
});

builder.prismaObject('AwardHistoryEntry', {
  description: 'One change in an award’s life.',
  fields: (t) => ({
    sequence: t.exposeInt('sequence', {
      description: 'Its place in the award’s history: 1 for the issue, then one more for each change, in the order the changes were committed.',
    }),
    action: t.expose('action', { type: AwardActionEnum, description: 'What happened.' }),
    reason: t.exposeString('reason', { nullable: true, description: 'Why, when a reason was given.' }),
    origin: t.expose('origin', { type: AwardChangeOriginEnum, description: 'Who made the change: a person’s request, automation, or expiry.' }),
    actor: t.relation('actorApiKey', {
      nullable: true,
      description: 'The API key that made the change; null when the platform made it (origin AUTOMATION or EXPIRY).',
    }),
    triggeredBy: t.relation('triggeredByApiKey', {
      nullable: true,
      description:
        'For origin AUTOMATION: the API key whose request (addPoints, startMembership, recordAction, …) led the rule to act; null for backfills, scheduled work and other origins.',
    }),
    at: t.expose('at', { type: 'DateTime', description: 'When it happened (taken once the change held its locks, so it never runs backwards along the history of one server).' }),
  }),
});

export const AwardRef = builder.prismaNode('Award', {
  description: 'A badge issued to an earner from one version of a template.',
  ...tenantNode,
  // Status and expiry are read with every award, so that `status` needs no selection of its own:
  // a field with one has each row of a list look up the planned query (the Prisma plugin's check).
  select: { id: true, status: true, expiresAt: true },
  fields: (t) => ({
    template: t.relation('template', { description: 'The template it was issued from.' }),
    templateVersion: t.relation('templateVersion', { description: 'The template version it was issued from; later edits do not change it.' }),
    earner: t.relation('earner', { description: 'Who holds it.' }),
    organization: t.relation('organization', { description: 'Who issued it.' }),
    recipientName: t.exposeString('recipientName', { description: 'The recipient’s full name, as issued.' }),
    recipientFirstName: t.exposeString('recipientFirstName', { nullable: true, description: 'First name, when given separately.' }),
    recipientLastName: t.exposeString('recipientLastName', { nullable: true, description: 'Last name, when given separately.' }),
    recipientEmail: t.exposeString('recipientEmail', { description: 'The recipient’s email, as issued.' }),
    status: t.field({
      type: AwardStatusEnum,
      description: 'Current status; an award past its expiry reads EXPIRED.',
      resolve: (award, _args, context) => {
        const now = context.deps.clock.now();
        const status = effectiveStatus(award, now);
        if ((status === 'PENDING' || status === 'ACCEPTED') && award.expiresAt) validUntil(context, award.expiresAt);
        return status;
      },
    }),
    imported: t.exposeBoolean('imported', { description: 'True when imported from another system rather than issued here.' }),
    source: t.expose('source', {
      type: AwardSourceEnum,
      description:
        'MANUAL, or AUTOMATION when the template’s award rule issued it. Automated awards are issued ACCEPTED (the earner earned them by what they did); manual ones PENDING unless issued with `accepted: true`.',
    }),
    imageUrl: t.exposeString('imageUrl', { nullable: true, description: 'Badge image.' }),
    imageHighResolutionUrl: t.exposeString('imageHighResolutionUrl', { nullable: true, description: 'High-resolution badge image.' }),
    imageThumbnailUrl: t.exposeString('imageThumbnailUrl', { nullable: true, description: 'Thumbnail badge image.' }),
    activityTitle: t.exposeString('activityTitle', { nullable: true, description: 'The activity the award is for.' }),
    activityStartedAt: t.expose('activityStartedAt', { type: 'DateTime', nullable: true, description: 'When the activity started.' }),
    activityEndedAt: t.expose('activityEndedAt', { type: 'DateTime', nullable: true, description: 'When the activity ended.' }),
    notes: t.exposeString('notes', { nullable: true, description: 'The issuer’s notes.' }),
    additionalDetails: t.expose('additionalDetails', {
      type: 'JSONObject',
      nullable: true,
      description: 'Any further details, as a JSON object.',
    }),
    evidence: t.field({
      type: [EvidenceRef],
      description: 'What the earner did or made to earn it, in the order given; empty when none.',
      select: { evidence: true },
      resolve: (award) => readEvidence(award.evidence),
    }),
    publicId: t.exposeString('publicId', { description: 'Unguessable id used in public links.' }),
    publicUrl: t.string({
      description: 'The award’s public page.',
      select: { publicId: true, organization: { select: { whitelabelHost: true } } },
      resolve: (award, _args, context) =>
        publicAwardUrl(context.deps.config, award.organization.whitelabelHost, award.publicId),
    }),
    issuedAt: t.expose('issuedAt', { type: 'DateTime', description: 'When it was issued (may be backdated).' }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', nullable: true, description: 'When it expires; null means never.' }),
    acceptedAt: t.expose('acceptedAt', { type: 'DateTime', nullable: true, description: 'When the earner accepted it.' }),
    rejectedAt: t.expose('rejectedAt', { type: 'DateTime', nullable: true, description: 'When the earner declined it.' }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true, description: 'When it was revoked.' }),
    revokedReason: t.exposeString('revokedReason', { nullable: true, description: 'Why it was revoked.' }),
    legacyId: t.exposeString('legacyId', { nullable: true, description: 'Its id in the system it was migrated from.' }),
    idempotencyKey: t.exposeString('idempotencyKey', { nullable: true, description: 'The idempotency key it was issued with.' }),
    history: t.relation('history', {
      description: 'Every change, in the order the changes were committed (oldest first); the last one gives the current status.',
      query: { orderBy: { sequence: 'asc' } },
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the record was created (UTC).' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When the record last changed (UTC).' }),
  }),
});

export const AwardConnection = connectionType(AwardRef, 'Award', 'awards');

const relatedAwards = {
  cursor: 'id' as const,
  query: { orderBy: [{ issuedAt: 'desc' as const }, { id: 'desc' as const }] },
  totalCount: true as const,
  ...pageSize,
};

builder.prismaObjectField('BadgeTemplate', 'awards', (t) =>
  t.relatedConnection(
    'awards',
    { ...relatedAwards, description: 'Awards issued from this template, most recently issued first; Query.awards filters further.' },
    AwardConnection,
  ),
);

builder.prismaObjectField('Earner', 'awards', (t) =>
  t.relatedConnection('awards', { ...relatedAwards, description: 'The earner’s awards, most recently issued first.' }, AwardConnection),
);

