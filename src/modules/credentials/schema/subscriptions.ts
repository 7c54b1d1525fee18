// credentialStatusChanged: a relying party that holds one of our credentials learns at once when
// it is revoked, suspended or restored, instead of polling the status list. No API key needed.
import { builder } from '../../../graphql/builder.js';
import { CREDENTIAL_STATUSES, credentialStatusUpdates, type CredentialStatusSnapshot } from '../live-status.js';

const CredentialStatusEnum = builder.enumType('CredentialStatus', {
  description: 'What a verifier would conclude about a credential of ours now.',
  values: {
    VALID: { description: 'Valid: not suspended, not revoked, within its validity.' },
    NOT_YET_VALID: { description: 'Its validFrom is still to come.' },
    EXPIRED: { description: 'Its validUntil has passed.' },
    SUSPENDED: { description: 'Its suspension bit is set: the award was revoked or rejected; it may yet be restored.' },
    REVOKED: { description: 'The award was deleted: its credential is revoked for good.' },
  } satisfies Record<(typeof CREDENTIAL_STATUSES)[number], { description: string }>,
});

const StatusEventRef = builder.objectRef<CredentialStatusSnapshot>('CredentialStatusEvent').implement({
  description: 'A credential’s status: sent at once, then each time it changes. Holds nothing personal.',
  fields: (t) => ({
    publicId: t.exposeString('publicId', { description: 'The award’s public id.' }),
    status: t.expose('status', { type: CredentialStatusEnum, description: 'The status now.' }),
    at: t.field({
      type: 'DateTime',
      description: 'When the change that led to it committed (for the first event, when the status was read).',
      resolve: (snapshot) => new Date(snapshot.at),
    }),
  }),
});

builder.subscriptionField('credentialStatusChanged', (t) =>
  t.field({
    type: StatusEventRef,
    description:
      'The status of one award’s credential, at once and whenever it changes (revoked, restored, rejected, expired, deleted). No API key needed: the public id is the secret.',
    args: { publicId: t.arg.string({ required: true, description: 'The award’s public id.' }) },
    subscribe: (_root, { publicId }, context) => credentialStatusUpdates(context.deps, publicId),
    resolve: (snapshot) => snapshot,
  }),
);
