// importCredentials: a thin resolver over the service.
import { builder } from '../../graphql/builder.js';
import { importCredentials, MAX_IMPORT_ITEMS, type ImportCredentialsResult, type ImportedCredential } from './service.js';

const OpenBadgesVersionEnum = builder.enumType('OpenBadgesVersion', {
  description: 'Which Open Badges specification an imported badge follows.',
  values: {
    OB2: { description: 'Open Badges 2.0: an Assertion, hosted or signed (JWS).' },
    OB3: { description: 'Open Badges 3.0: a verifiable credential, with a Data Integrity proof or as a VC-JWT.' },
  },
});

const CredentialImportFormatEnum = builder.enumType('CredentialImportFormat', {
  description: 'How an imported badge was given.',
  values: {
    JSON: { description: 'JSON (an OB 2.0 hosted assertion, or an OB 3.0 credential with its proof).' },
    JWT: { description: 'A compact JWS (an OB 2.0 signed assertion, or an OB 3.0 VC-JWT).' },
    PNG: { description: 'Baked in a PNG image.' },
    SVG: { description: 'Baked in an SVG image.' },
  },
});

const CredentialImportOutcomeEnum = builder.enumType('CredentialImportOutcome', {
  description: 'What importing a badge did.',
  values: {
    IMPORTED: { description: 'An imported award was issued (in a dry run: would be).' },
    ALREADY_IMPORTED: { description: 'The same credential was imported before into the same template: nothing was issued again.' },
  },
});

const TemplateMatchEnum = builder.enumType('CredentialImportTemplateOutcome', {
  description: 'Where an imported badge’s template came from.',
  values: {
    MATCHED: { description: 'A template made from the same BadgeClass/Achievement id (sourceAchievementId) by an earlier import.' },
    CREATED: { description: 'A new active template, made from the BadgeClass/Achievement (in a dry run: would be).' },
  },
});

const CredentialImportItem = builder.inputType('CredentialImportItem', {
  description: 'One badge to import: exactly one of json, jwt and imageBase64.',
  fields: (t) => ({
    json: t.field({ type: 'JSONObject', description: 'An OB 2.0 hosted Assertion, or an OB 3.0 credential with its Data Integrity proof.' }),
    jwt: t.string({ description: 'A compact JWS: an OB 2.0 signed Assertion, or an OB 3.0 VC-JWT.' }),
    imageBase64: t.string({ description: 'A baked PNG or SVG image, in base64 (a data: URL is accepted).' }),
    recipientName: t.string({ description: 'The recipient’s name, when the credential gives none; the recipient’s email is used otherwise.' }),
    recipientEmail: t.string({
      description: 'The recipient’s email when the credential names its recipient by no email (a DID), or one more candidate for a hashed identity.',
    }),
  }),
});

const ImportCredentialsInput = builder.inputType('ImportCredentialsInput', {
  description: `Badges from another platform to import, at most ${MAX_IMPORT_ITEMS}, all or nothing.`,
  fields: (t) => ({
    items: t.field({ type: [CredentialImportItem], required: true, description: `The badges, at most ${MAX_IMPORT_ITEMS}.` }),
    documents: t.field({
      type: ['JSONObject'],
      description:
        'OB 2.0 BadgeClass, issuer Profile and CryptographicKey documents that assertions name by URL, each found by its id (a BadgeClass not given is fetched when IMPORT_FETCH allows; keys and profiles are not).',
    }),
    candidateEmails: t.stringList({ description: 'Emails to match hashed recipient identities (sha256 or md5 of email + salt) against.' }),
    dryRun: t.boolean({ description: 'Check everything and report what would be created, writing nothing.' }),
  }),
});

const CredentialImportResultRef = builder.objectRef<ImportedCredential>('CredentialImportResult').implement({
  description: 'What importing one badge did (or, in a dry run, would do).',
  fields: (t) => ({
    index: t.exposeInt('index', { description: 'The item’s position in the input, from 0.' }),
    standard: t.field({ type: OpenBadgesVersionEnum, description: 'The specification it follows.', resolve: (result) => result.standard }),
    format: t.field({ type: CredentialImportFormatEnum, description: 'How it was given.', resolve: (result) => result.format }),
    legacyId: t.exposeString('legacyId', { description: 'The assertion’s or credential’s id, kept as the award’s legacyId.' }),
    outcome: t.field({ type: CredentialImportOutcomeEnum, description: 'What happened.', resolve: (result) => result.outcome }),
    award: t.prismaField({
      type: 'Award',
      nullable: true,
      description: 'The imported award (for ALREADY_IMPORTED, the earlier one); null in a dry run for an award that would be issued.',
      resolve: (query, result, _args, context) => {
        // Read even when unused: the prisma plugin refuses a resolver that leaves its query alone.
        const selection = { ...query };
        return result.awardId ? context.deps.reader.award.findUnique({ ...selection, where: { id: result.awardId } }) : null;
      },
    }),
    templateOutcome: t.field({ type: TemplateMatchEnum, description: 'Whether its template was matched or created.', resolve: (result) => result.templateOutcome }),
    template: t.prismaField({
      type: 'BadgeTemplate',
      nullable: true,
      description: 'Its template; null in a dry run for a template that would be created.',
      resolve: (query, result, _args, context) => {
        const selection = { ...query };
        return result.templateId ? context.deps.reader.badgeTemplate.findUnique({ ...selection, where: { id: result.templateId } }) : null;
      },
    }),
    achievementId: t.exposeString('achievementId', { description: 'The BadgeClass (2.0) or Achievement (3.0) id: the template’s sourceAchievementId.' }),
    templateName: t.exposeString('templateName', { description: 'The template’s name.' }),
    recipientEmail: t.exposeString('recipientEmail', { description: 'The recipient’s email, as given or as matched to a hashed identity.' }),
    warnings: t.exposeStringList('warnings', {
      description: 'What was not or could not be verified (an unconfirmed issuer key, an unknown status, a hosted assertion that could not be checked at its address, an expired credential).',
    }),
  }),
});

const ImportCredentialsPayload = builder.objectRef<ImportCredentialsResult>('ImportCredentialsPayload').implement({
  description: 'What an import did, item by item in input order.',
  fields: (t) => ({
    dryRun: t.exposeBoolean('dryRun', { description: 'True when nothing was written.' }),
    results: t.field({ type: [CredentialImportResultRef], description: 'One result per item, in order.', resolve: (result) => result.items }),
    importedCount: t.int({
      description: 'How many awards were issued (in a dry run: would be).',
      resolve: (result) => result.items.filter((item) => item.outcome === 'IMPORTED').length,
    }),
    templatesCreatedCount: t.int({
      description: 'How many templates were created (in a dry run: would be).',
      resolve: (result) => new Set(result.items.filter((item) => item.templateOutcome === 'CREATED').map((item) => item.achievementId)).size,
    }),
  }),
});

builder.mutationField('importCredentials', (t) =>
  t.field({
    type: ImportCredentialsPayload,
    description: `Imports badges earned on another platform (Open Badges 2.0 assertions, Open Badges 3.0 credentials; as JSON, JWS or baked images) as imported awards, creating a template per BadgeClass/Achievement not imported before. All or nothing, at most ${MAX_IMPORT_ITEMS} items: any item's problem is reported (fields named items[i]....) and nothing is written. A credential imported before is not issued again. Needs \`awards:issue\`. See docs/imports-from-platforms.md.`,
    authScopes: { permission: 'awards:issue' },
    complexity: 100,
    args: { input: t.arg({ type: ImportCredentialsInput, required: true, description: 'The badges to import.' }) },
    resolve: (_root, { input }, context) =>
      importCredentials(context.deps, context.auth.current, {
        items: input.items,
        documents: input.documents,
        candidateEmails: input.candidateEmails,
        dryRun: input.dryRun,
      }),
  }),
);
