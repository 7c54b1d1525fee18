import { builder } from '../../graphql/builder.js';
import { tenantNode, record } from '../../graphql/nodes.js';
import { decodeId, decodeOptionalId } from '../../graphql/ids.js';
import { connectionType, pageSize } from '../../graphql/pagination.js';
import type { Prisma } from '../../generated/prisma-sqlite/client.js';
import { NotFoundError } from '../../shared/errors.js';
import { MAX_SHARE_RECIPIENTS, sendAwardEmail, shareAward } from './service.js';

const EmailKindEnum = builder.enumType('EmailKind', {
  description: 'Why a message was sent.',
  values: {
    AWARD_NOTIFICATION: { description: 'The award email to its earner (sendAwardEmail, or a template with emailOnIssue).' },
    AWARD_SHARE: { description: 'An award shared with other addresses (shareAward).' },
  },
});

const EmailStatusEnum = builder.enumType('EmailStatus', {
  description: 'Where a message is in the outbox.',
  values: {
    QUEUED: { description: 'Recorded; waiting to be sent, or to be retried after a failure (see attempts and lastError).' },
    SENT: { description: 'Accepted by the mail server (or written as an .eml file when no SMTP server is configured).' },
    FAILED: { description: 'Given up: refused for good by the mail server, failed too many times, or the award was withdrawn.' },
  },
});

export const EmailMessageRef = builder.prismaNode('EmailMessage', {
  description: 'An email in the outbox: recorded in the transaction that caused it, then sent with retries.',
  ...tenantNode,
  fields: (t) => ({
    award: t.relation('award', { description: 'The award the message is about.' }),
    kind: t.expose('kind', { type: EmailKindEnum, description: 'Notification to the earner, or a share.' }),
    recipients: t.stringList({
      description: 'The addresses it goes to.',
      select: { recipients: true },
      resolve: (message) => message.recipients as string[],
    }),
    subject: t.exposeString('subject', { nullable: true, description: 'The sharer’s subject; null for award notifications, whose subject is written by the platform.' }),
    status: t.expose('status', { type: EmailStatusEnum, description: 'QUEUED, SENT or FAILED.' }),
    attempts: t.exposeInt('attempts', { description: 'Sending attempts so far.' }),
    lastError: t.exposeString('lastError', { nullable: true, description: 'Why the last attempt failed; for FAILED, why it was given up.' }),
    nextAttemptAt: t.expose('nextAttemptAt', { type: 'DateTime', description: 'When a QUEUED message is (re)tried next.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was recorded.' }),
    sentAt: t.expose('sentAt', { type: 'DateTime', nullable: true, description: 'When it was sent.' }),
    failedAt: t.expose('failedAt', { type: 'DateTime', nullable: true, description: 'When it was given up.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When the record last changed (UTC).' }),
  }),
});

const EmailMessageConnection = connectionType(EmailMessageRef, 'EmailMessage', 'email messages');

const EmailMessageFilterInput = builder.inputType('EmailMessageFilter', {
  description: 'Narrows the outbox list; conditions combine with AND.',
  fields: (t) => ({
    awardId: t.id({ description: 'About this award.' }),
    statuses: t.field({ type: [EmailStatusEnum], description: 'Any of these statuses.' }),
  }),
});

function messageWhere(organizationId: string, filter: typeof EmailMessageFilterInput.$inferInput | null | undefined): Prisma.EmailMessageWhereInput {
  const awardId = decodeOptionalId('Award', filter?.awardId, 'filter.awardId');
  return {
    organizationId,
    ...(awardId ? { awardId } : {}),
    ...(filter?.statuses?.length ? { status: { in: filter.statuses } } : {}),
  };
}

builder.queryFields((t) => ({
  emailMessages: t.prismaConnection(
    {
      type: 'EmailMessage',
      cursor: 'id',
      description: 'The organization’s outbox, newest first: every award email and share, with its delivery status.',
      authScopes: { permission: 'read' },
      args: { filter: t.arg({ type: EmailMessageFilterInput, description: 'Conditions the messages must meet.' }) },
      ...pageSize,
      totalCount: (_parent, { filter }, context) =>
        context.deps.reader.emailMessage.count({ where: messageWhere(context.auth.current.organizationId, filter) }),
      resolve: (query, _parent, { filter }, context) =>
        context.deps.reader.emailMessage.findMany({
          ...query,
          where: messageWhere(context.auth.current.organizationId, filter),
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        }),
    },
    EmailMessageConnection,
  ),
  emailMessage: t.prismaField({
    type: 'EmailMessage',
    nullable: true,
    description: 'One message of the outbox; NOT_FOUND when it does not exist in the organization.',
    authScopes: { permission: 'read' },
    args: { id: t.arg.id({ required: true, description: 'The message’s id.' }) },
    resolve: async (query, _parent, { id }, context) => {
      const message = await context.deps.reader.emailMessage.findFirst({
        ...query,
        where: { id: decodeId('EmailMessage', id, 'id'), organizationId: context.auth.current.organizationId },
      });
      if (!message) throw new NotFoundError('email message');
      return message;
    },
  }),
}));

const SendAwardEmailInput = builder.inputType('SendAwardEmailInput', {
  description: 'The award whose email goes to its earner.',
  fields: (t) => ({ awardId: t.id({ required: true, description: 'The award; not revoked or rejected.' }) }),
});

const ShareAwardInput = builder.inputType('ShareAwardInput', {
  description: 'An award to share by email.',
  fields: (t) => ({
    awardId: t.id({ required: true, description: 'The award; not revoked or rejected.' }),
    recipients: t.stringList({ required: true, description: `Email addresses, 1 to ${MAX_SHARE_RECIPIENTS}, no repeats.` }),
    subject: t.string({ required: true, description: 'Subject line (at most 200 characters, no line breaks).' }),
    message: t.string({ required: true, description: 'The message shown above the award (at most 5000 characters).' }),
    senderName: t.string({ description: 'Who is sharing, shown as the sender’s name (at most 100 characters, no line breaks); the earner’s name when omitted.' }),
  }),
});

const EmailMessagePayload = builder.objectRef<{ messageId: string }>('EmailMessagePayload').implement({
  description: 'The message a mutation queued.',
  fields: (t) => ({
    emailMessage: record(t, 'EmailMessage', 'The message, QUEUED until the outbox sends it.', (payload) => payload.messageId),
  }),
});

const ShareAwardPayload = builder.objectRef<{ messageIds: string[] }>('ShareAwardPayload').implement({
  description: 'The messages shareAward queued: one per address.',
  fields: (t) => ({
    emailMessages: t.prismaField({
      type: ['EmailMessage'],
      description: 'One message per address, in the order the addresses were given, each QUEUED until the outbox sends it.',
      resolve: async (query, payload, _args, context) => {
        const messages = await context.deps.reader.emailMessage.findMany({ ...query, where: { id: { in: payload.messageIds } } });
        const byId = new Map(messages.map((message) => [message.id, message]));
        return payload.messageIds.map((id) => byId.get(id)!);
      },
    }),
    emailMessage: t.prismaField({
      type: 'EmailMessage',
      description: 'The message to the first address.',
      deprecationReason: 'Each address now gets a message of its own: use emailMessages.',
      resolve: (query, payload, _args, context) =>
        context.deps.reader.emailMessage.findUniqueOrThrow({ ...query, where: { id: payload.messageIds[0]! } }),
    }),
  }),
});

builder.mutationFields((t) => ({
  sendAwardEmail: t.field({
    type: EmailMessagePayload,
    description: 'Queues the award email to its earner; the outbox sends it with retries. Needs `email:send`.',
    authScopes: { permission: 'email:send' },
    args: { input: t.arg({ type: SendAwardEmailInput, required: true, description: 'The award.' }) },
    resolve: async (_root, { input }, context) => ({
      messageId: (await sendAwardEmail(context.deps, context.auth.current, decodeId('Award', input.awardId, 'awardId'))).id,
    }),
  }),
  shareAward: t.field({
    type: ShareAwardPayload,
    description: `Queues a message sharing an award to each of up to ${MAX_SHARE_RECIPIENTS} addresses, one message per address, so no recipient sees another’s address. Needs \`email:send\`.`,
    authScopes: { permission: 'email:send' },
    args: { input: t.arg({ type: ShareAwardInput, required: true, description: 'The award, the addresses and the message.' }) },
    resolve: async (_root, { input: { awardId, ...share } }, context) => ({
      messageIds: (await shareAward(context.deps, context.auth.current, decodeId('Award', awardId, 'awardId'), share)).map((message) => message.id),
    }),
  }),
}));
