import { builder, type InputFieldBuilder } from '../../graphql/builder.js';
import { tenantNode, record } from '../../graphql/nodes.js';
import { decodeId } from '../../graphql/ids.js';
import { connectionType, pageSize } from '../../graphql/pagination.js';
import { NotFoundError } from '../../shared/errors.js';
import { createTemplate, setTemplateState, templateWhere, updateTemplate } from './service.js';

export const BadgeLevelEnum = builder.enumType('BadgeLevel', {
  description: 'A badge’s tier, as in Discourse’s bronze, silver and gold badges.',
  values: {
    NONE: { description: 'No tier.' },
    BRONZE: { description: 'Bronze: the entry tier.' },
    SILVER: { description: 'Silver: the middle tier.' },
    GOLD: { description: 'Gold: the highest tier.' },
  },
});

export const BadgeTemplateStateEnum = builder.enumType('BadgeTemplateState', {
  description: 'Where a template is in its life. Only ACTIVE templates issue awards.',
  values: {
    DRAFT: { description: 'Being designed; cannot issue yet.' },
    ACTIVE: { description: 'Issues awards.' },
    ARCHIVED: { description: 'Retired: issues nothing and cannot be changed, but its awards stay valid.' },
  },
});

export const AwardModeEnum = builder.enumType('AwardMode', {
  description: 'How often one earner can hold a template’s badge.',
  values: {
    ONCE: { description: 'At most one live (pending or accepted, unexpired) award per earner.' },
    REPEATABLE: { description: 'Any number of awards per earner.' },
  },
});

const BadgeTemplateOrderEnum = builder.enumType('BadgeTemplateOrder', {
  description: 'Orders for the template list.',
  values: {
    CREATED_AT_DESC: { description: 'Newest first (the default).' },
    CREATED_AT_ASC: { description: 'Oldest first.' },
    NAME_ASC: { description: 'By name, A to Z.' },
  },
});

const TEMPLATE_ORDERS = {
  CREATED_AT_DESC: [{ createdAt: 'desc' }, { id: 'desc' }],
  CREATED_AT_ASC: [{ createdAt: 'asc' }, { id: 'asc' }],
  NAME_ASC: [{ name: 'asc' }, { id: 'asc' }],
} as const;

export const BadgeTemplateVersionRef = builder.prismaNode('BadgeTemplateVersion', {
  description: 'An immutable snapshot of what earners receive from a template; awards keep the version they were issued from.',
  ...tenantNode,
  fields: (t) => ({
    version: t.exposeInt('version', { description: 'Version number, from 1.' }),
    name: t.exposeString('name', { description: 'Badge name.' }),
    description: t.exposeString('description', { description: 'What the badge stands for.' }),
    criteriaNarrative: t.exposeString('criteriaNarrative', { nullable: true, description: 'What an earner did to earn it.' }),
    criteriaUrl: t.exposeString('criteriaUrl', { nullable: true, description: 'A page describing the criteria.' }),
    imageUrl: t.exposeString('imageUrl', { nullable: true, description: 'Badge image.' }),
    imageHighResolutionUrl: t.exposeString('imageHighResolutionUrl', { nullable: true, description: 'High-resolution badge image.' }),
    imageThumbnailUrl: t.exposeString('imageThumbnailUrl', { nullable: true, description: 'Thumbnail badge image.' }),
    level: t.expose('level', { type: BadgeLevelEnum, description: 'Tier.' }),
    tags: t.stringList({
      description: 'Tags (skills).',
      select: { tags: true },
      resolve: (version) => (Array.isArray(version.tags) ? version.tags.map(String) : []),
    }),
    template: t.relation('template', { description: 'The template this is a version of.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When this version was made.' }),
  }),
});

const BadgeTemplateVersionConnection = connectionType(BadgeTemplateVersionRef, 'BadgeTemplateVersion', 'template versions');

export const BadgeTemplateRef = builder.prismaNode('BadgeTemplate', {
  description: 'A badge design that awards are issued from. Its content fields are those of its current version.',
  ...tenantNode,
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Badge name.' }),
    description: t.exposeString('description', { description: 'What the badge stands for.' }),
    criteriaNarrative: t.exposeString('criteriaNarrative', { nullable: true, description: 'What an earner must do to earn it.' }),
    sourceAchievementId: t.exposeString('sourceAchievementId', {
      nullable: true,
      description: 'The Open Badges BadgeClass (2.0) or Achievement (3.0) id that importCredentials made this template from; null for templates made here.',
    }),
    criteriaUrl: t.exposeString('criteriaUrl', { nullable: true, description: 'A page describing the criteria.' }),
    imageUrl: t.exposeString('imageUrl', { nullable: true, description: 'Badge image.' }),
    imageHighResolutionUrl: t.exposeString('imageHighResolutionUrl', { nullable: true, description: 'High-resolution badge image.' }),
    imageThumbnailUrl: t.exposeString('imageThumbnailUrl', { nullable: true, description: 'Thumbnail badge image.' }),
    level: t.expose('level', { type: BadgeLevelEnum, description: 'Tier.' }),
    tags: t.stringList({
      description: 'Tags (skills), in the order given.',
      select: { tags: { select: { name: true }, orderBy: { position: 'asc' } } },
      resolve: (template) => template.tags.map((tag) => tag.name),
    }),
    state: t.expose('state', { type: BadgeTemplateStateEnum, description: 'DRAFT, ACTIVE or ARCHIVED.' }),
    awardMode: t.expose('awardMode', { type: AwardModeEnum, description: 'ONCE or REPEATABLE per earner.' }),
    validityDays: t.exposeInt('validityDays', {
      nullable: true,
      description: 'Awards issued without an expiry expire this many days after their issue date; null means never.',
    }),
    emailOnIssue: t.exposeBoolean('emailOnIssue', {
      description: 'True when every award issued from it emails the earner (through the outbox, in the issuing transaction).',
    }),
    signatoryName: t.exposeString('signatoryName', {
      nullable: true,
      description: 'Who signs this template’s certificates, in place of the organization’s signatory; null: the organization’s.',
    }),
    signatoryTitle: t.exposeString('signatoryTitle', { nullable: true, description: 'The template signatory’s title, shown under their name.' }),
    version: t.exposeInt('version', { description: 'Number of the current version.' }),
    versions: t.relatedConnection(
      'versions',
      {
        description: 'Every version, newest first.',
        cursor: 'id',
        query: { orderBy: { version: 'desc' } },
        totalCount: true,
        ...pageSize,
      },
      BadgeTemplateVersionConnection,
    ),
    activatedAt: t.expose('activatedAt', { type: 'DateTime', nullable: true, description: 'When it was first activated.' }),
    archivedAt: t.expose('archivedAt', { type: 'DateTime', nullable: true, description: 'When it was last archived.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was created.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When it last changed.' }),
  }),
});

const BadgeTemplateConnection = connectionType(BadgeTemplateRef, 'BadgeTemplate', 'badge templates');

const BadgeTemplateFilter = builder.inputType('BadgeTemplateFilter', {
  description: 'Narrows the template list; conditions combine with AND.',
  fields: (t) => ({
    states: t.field({ type: [BadgeTemplateStateEnum], description: 'Any of these states.' }),
    levels: t.field({ type: [BadgeLevelEnum], description: 'Any of these levels.' }),
    tag: t.string({ description: 'Has this tag (case-insensitive).' }),
    search: t.string({ description: 'Name or description contains this text (case-insensitive).' }),
  }),
});

builder.queryFields((t) => ({
  badgeTemplates: t.prismaConnection(
    {
      type: 'BadgeTemplate',
      cursor: 'id',
      description: 'The organization’s badge templates.',
      authScopes: { permission: 'read' },
      args: {
        filter: t.arg({ type: BadgeTemplateFilter, description: 'Conditions the templates must meet.' }),
        orderBy: t.arg({ type: BadgeTemplateOrderEnum, defaultValue: 'CREATED_AT_DESC', description: 'The order of the list.' }),
      },
      ...pageSize,
      totalCount: (_parent, { filter }, context) =>
        context.deps.reader.badgeTemplate.count({
          where: templateWhere(context.auth.current.organizationId, filter ?? {}),
        }),
      resolve: (query, _parent, { filter, orderBy }, context) =>
        context.deps.reader.badgeTemplate.findMany({
          ...query,
          where: templateWhere(context.auth.current.organizationId, filter ?? {}),
          orderBy: [...TEMPLATE_ORDERS[orderBy ?? 'CREATED_AT_DESC']],
        }),
    },
    BadgeTemplateConnection,
  ),
  badgeTemplate: t.prismaField({
    type: 'BadgeTemplate',
    nullable: true,
    description: 'One badge template; NOT_FOUND when it does not exist in the organization.',
    authScopes: { permission: 'read' },
    args: { id: t.arg.id({ required: true, description: 'The template’s id.' }) },
    resolve: async (query, _parent, { id }, context) => {
      const template = await context.deps.reader.badgeTemplate.findFirst({
        ...query,
        where: { id: decodeId('BadgeTemplate', id, 'id'), organizationId: context.auth.current.organizationId },
      });
      if (!template) throw new NotFoundError('badge template');
      return template;
    },
  }),
}));

const templateContentFields = (t: InputFieldBuilder) => ({
  criteriaNarrative: t.string({ description: 'What an earner must do (at most 10000 characters).' }),
  criteriaUrl: t.string({ description: 'A page describing the criteria (http or https).' }),
  imageUrl: t.string({ description: 'Badge image (http or https).' }),
  imageHighResolutionUrl: t.string({ description: 'High-resolution badge image (http or https).' }),
  imageThumbnailUrl: t.string({ description: 'Thumbnail badge image (http or https).' }),
  tags: t.stringList({ description: 'Tags (skills): at most 50, each at most 64 characters, unique ignoring case.' }),
  validityDays: t.int({ description: 'Default validity of awards in days (1 to 36500); null: awards do not expire.' }),
  emailOnIssue: t.boolean({ description: 'Email the earner (through the outbox) whenever an award is issued from this template, by people or by automation.' }),
  signatoryName: t.string({ description: 'Who signs its certificates in place of the organization’s signatory (at most 100 characters, one line); never makes a new version.' }),
  signatoryTitle: t.string({ description: 'The signatory’s title (at most 100 characters, one line).' }),
});

const CreateBadgeTemplateInput = builder.inputType('CreateBadgeTemplateInput', {
  description: 'A new badge template. It starts as a DRAFT unless `activate` is true.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'Badge name (at most 200 characters).' }),
    description: t.string({ required: true, description: 'What the badge stands for (at most 5000 characters).' }),
    ...templateContentFields(t),
    level: t.field({ type: BadgeLevelEnum, description: 'Tier; NONE when omitted.' }),
    awardMode: t.field({ type: AwardModeEnum, description: 'ONCE (the default) or REPEATABLE.' }),
    activate: t.boolean({ description: 'Create it ACTIVE, ready to issue.' }),
  }),
});

const UpdateBadgeTemplateInput = builder.inputType('UpdateBadgeTemplateInput', {
  description:
    'Changes to a template; omitted fields stay as they are. Once a template has been active, a change to what earners receive (name, description, criteria, images, level, tags) creates a new version.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'The template to change.' }),
    name: t.string({ description: 'Badge name (at most 200 characters).' }),
    description: t.string({ description: 'What the badge stands for (at most 5000 characters).' }),
    ...templateContentFields(t),
    level: t.field({ type: BadgeLevelEnum, description: 'Tier.' }),
    awardMode: t.field({ type: AwardModeEnum, description: 'ONCE or REPEATABLE; fixed once the template has issued awards.' }),
  }),
});

const TemplateIdInput = builder.inputType('BadgeTemplateIdInput', {
  description: 'Names a badge template.',
  fields: (t) => ({ id: t.id({ required: true, description: 'The template’s id.' }) }),
});

const BadgeTemplatePayload = builder.objectRef<{ templateId: string; newVersion?: boolean }>('BadgeTemplatePayload').implement({
  description: 'The template a mutation changed.',
  fields: (t) => ({
    badgeTemplate: record(t, 'BadgeTemplate', 'The template, as it is now.', (payload) => payload.templateId),
    newVersionCreated: t.boolean({
      description: 'True when this change created a new version.',
      resolve: (payload) => payload.newVersion ?? false,
    }),
  }),
});

builder.mutationFields((t) => ({
  createBadgeTemplate: t.field({
    type: BadgeTemplatePayload,
    description: 'Creates a badge template (version 1). Needs `templates:write`.',
    authScopes: { permission: 'templates:write' },
    args: { input: t.arg({ type: CreateBadgeTemplateInput, required: true, description: 'The template to create.' }) },
    resolve: async (_root, { input }, context) => {
      const template = await createTemplate(context.deps, context.auth.current, input);
      return { templateId: template.id, newVersion: true };
    },
  }),
  updateBadgeTemplate: t.field({
    type: BadgeTemplatePayload,
    description: 'Changes a draft or active template. Needs `templates:write`.',
    authScopes: { permission: 'templates:write' },
    args: { input: t.arg({ type: UpdateBadgeTemplateInput, required: true, description: 'The template and the fields to change.' }) },
    resolve: async (_root, { input: { id, ...changes } }, context) => {
      const { template, newVersion } = await updateTemplate(
        context.deps,
        context.auth.current,
        decodeId('BadgeTemplate', id, 'id'),
        changes,
      );
      return { templateId: template.id, newVersion };
    },
  }),
  activateBadgeTemplate: t.field({
    type: BadgeTemplatePayload,
    description: 'Makes a draft or archived template ACTIVE, so it issues awards. Needs `templates:write`.',
    authScopes: { permission: 'templates:write' },
    args: { input: t.arg({ type: TemplateIdInput, required: true, description: 'The template.' }) },
    resolve: async (_root, { input }, context) => {
      const template = await setTemplateState(context.deps, context.auth.current, decodeId('BadgeTemplate', input.id, 'id'), 'ACTIVE');
      return { templateId: template.id };
    },
  }),
  archiveBadgeTemplate: t.field({
    type: BadgeTemplatePayload,
    description: 'Retires a template: it issues nothing more; its awards stay valid. Needs `templates:write`.',
    authScopes: { permission: 'templates:write' },
    args: { input: t.arg({ type: TemplateIdInput, required: true, description: 'The template.' }) },
    resolve: async (_root, { input }, context) => {
      const template = await setTemplateState(context.deps, context.auth.current, decodeId('BadgeTemplate', input.id, 'id'), 'ARCHIVED');
      return { templateId: template.id };
    },
  }),
}));
