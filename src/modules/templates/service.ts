import type { Actor, Deps } from '../../deps.js';
import type { Prisma } from '../../db/client.js';
import { commit, type Change, type Tx } from '../../db/transaction.js';
import type { TemplateChange, TemplateEvent } from '../../events/events.js';
import type { BadgeLevel, BadgeTemplate, BadgeTemplateState } from '../../generated/prisma-sqlite/client.js';
import { ConflictError, NotFoundError, ValidationError } from '../../shared/errors.js';
import { searchKey, searchNeedle } from '../../shared/search-key.js';
import { httpUrl, omittable, parseInput, line, text, z } from '../../shared/validation.js';
import { jobEvent, lockRules, queueBackfill } from '../automation/index.js';

const LEVELS = ['NONE', 'BRONZE', 'SILVER', 'GOLD'] as const;
const MODES = ['ONCE', 'REPEATABLE'] as const;
export const MAX_TAGS = 50;

/** Tags keep the case they were given but are unique case-insensitively, first spelling wins. */
const tags = z
  .array(text(64))
  .max(MAX_TAGS, `must have at most ${MAX_TAGS} tags`)
  .transform((values) => {
    const seen = new Set<string>();
    return values.filter((value) => !seen.has(value.toLowerCase()) && seen.add(value.toLowerCase()));
  });

// What an earner receives: changing any of these after activation makes a new version.
const contentFields = {
  name: line(200),
  description: text(5000),
  criteriaNarrative: text(10_000).nullish(),
  criteriaUrl: httpUrl().nullish(),
  imageUrl: httpUrl().nullish(),
  imageHighResolutionUrl: httpUrl().nullish(),
  imageThumbnailUrl: httpUrl().nullish(),
  level: omittable(z.enum(LEVELS)),
  tags: omittable(tags),
};

// How the template issues: changing these never makes a new version.
const policyFields = {
  awardMode: omittable(z.enum(MODES)),
  validityDays: z
    .number()
    .int('must be a whole number of days')
    .min(1, 'must be at least 1 day')
    .max(36_500, 'must be at most 36500 days')
    .nullish(),
  emailOnIssue: omittable(z.boolean()),
  // Who signs its certificates; both null: the organization's signatory.
  signatoryName: line(100).nullish(),
  signatoryTitle: line(100).nullish(),
};

const createInput = z.object({ ...contentFields, ...policyFields, activate: omittable(z.boolean()) });
const updateInput = z.object({
  ...contentFields,
  ...policyFields,
  name: omittable(contentFields.name),
  description: omittable(contentFields.description),
});

export type CreateTemplateInput = z.input<typeof createInput>;
export type UpdateTemplateInput = z.input<typeof updateInput>;

type Content = {
  name: string;
  description: string;
  criteriaNarrative: string | null;
  criteriaUrl: string | null;
  imageUrl: string | null;
  imageHighResolutionUrl: string | null;
  imageThumbnailUrl: string | null;
  level: BadgeLevel;
  tags: string[];
};

const CONTENT_KEYS = [
  'name',
  'description',
  'criteriaNarrative',
  'criteriaUrl',
  'imageUrl',
  'imageHighResolutionUrl',
  'imageThumbnailUrl',
  'level',
  'tags',
] as const satisfies ReadonlyArray<keyof Content>;

function searchText(content: Pick<Content, 'name' | 'description'>): string {
  return searchKey(`${content.name}\n${content.description}`);
}

function templateColumns(content: Content) {
  const { tags: _tags, ...columns } = content;
  return { ...columns, searchText: searchText(content) };
}

function versionRow(organizationId: string, templateId: string, version: number, content: Content, createdAt: Date) {
  return { organizationId, templateId, version, ...content, createdAt };
}

async function replaceTags(tx: Tx, organizationId: string, templateId: string, names: string[]) {
  await tx.badgeTemplateTag.deleteMany({ where: { templateId } });
  if (names.length === 0) return;
  await tx.badgeTemplateTag.createMany({
    data: names.map((name, position) => ({ organizationId, templateId, name, nameLower: searchKey(name), position })),
  });
}

function templateEvent(template: BadgeTemplate, change: TemplateChange): TemplateEvent {
  return {
    kind: 'template',
    change,
    organizationId: template.organizationId,
    templateId: template.id,
    version: template.version,
    at: template.updatedAt.toISOString(),
  };
}

export async function createTemplate(deps: Deps, actor: Actor, rawInput: CreateTemplateInput) {
  const input = parseInput(createInput, rawInput);
  return commit(deps, (tx) => insertTemplate(tx, deps, actor, input, null));
}

/**
 * Creates a template inside a transaction the caller owns (an import creates templates and issues
 * from them in one change); the caller commits and publishes the events. `sourceAchievementId`
 * is set only by imports: it is not part of the API's input.
 */
export async function createTemplateInTransaction(
  tx: Tx,
  deps: Deps,
  actor: Actor,
  rawInput: CreateTemplateInput,
  sourceAchievementId: string | null,
): Promise<Change<BadgeTemplate>> {
  return insertTemplate(tx, deps, actor, parseInput(createInput, rawInput), sourceAchievementId);
}

async function insertTemplate(
  tx: Tx,
  deps: Deps,
  actor: Actor,
  input: z.output<typeof createInput>,
  sourceAchievementId: string | null,
): Promise<Change<BadgeTemplate>> {
  const now = deps.clock.now();
  const content: Content = {
    name: input.name,
    description: input.description,
    criteriaNarrative: input.criteriaNarrative ?? null,
    criteriaUrl: input.criteriaUrl ?? null,
    imageUrl: input.imageUrl ?? null,
    imageHighResolutionUrl: input.imageHighResolutionUrl ?? null,
    imageThumbnailUrl: input.imageThumbnailUrl ?? null,
    level: input.level ?? 'NONE',
    tags: input.tags ?? [],
  };
  const created = await tx.badgeTemplate.create({
    data: {
      organizationId: actor.organizationId,
      sourceAchievementId,
      ...templateColumns(content),
      awardMode: input.awardMode ?? 'ONCE',
      validityDays: input.validityDays ?? null,
      emailOnIssue: input.emailOnIssue ?? false,
      signatoryName: input.signatoryName ?? null,
      signatoryTitle: input.signatoryTitle ?? null,
      version: 1,
      ...(input.activate ? { state: 'ACTIVE' as const, activatedAt: now } : {}),
      createdAt: now,
      updatedAt: now,
    },
  });
  await tx.badgeTemplateVersion.create({ data: versionRow(actor.organizationId, created.id, 1, content, now) });
  await replaceTags(tx, actor.organizationId, created.id, content.tags);
  return { result: created, events: [templateEvent(created, 'CREATED')] };
}

async function loadTemplate(tx: Tx, actor: Actor, templateId: string) {
  const template = await tx.badgeTemplate.findFirst({
    where: { id: templateId, organizationId: actor.organizationId },
    include: { tags: { orderBy: { position: 'asc' } } },
  });
  if (!template) throw new NotFoundError('badge template');
  return template;
}

/**
 * Changes a template. While it has never been active nobody can hold it, so its first version is
 * edited in place; after that, a change to what earners receive creates the next version and
 * awards keep the version they were issued from.
 */
export async function updateTemplate(deps: Deps, actor: Actor, templateId: string, rawInput: UpdateTemplateInput) {
  const input = parseInput(updateInput, rawInput);
  const now = deps.clock.now();
  return commit(deps, async (tx) => {
    const current = await loadTemplate(tx, actor, templateId);
    if (current.state === 'ARCHIVED') {
      throw new ConflictError('An archived template cannot be changed; activate it again first.', {
        field: 'id',
        rule: 'notArchived',
      });
    }
    const before: Content = {
      name: current.name,
      description: current.description,
      criteriaNarrative: current.criteriaNarrative,
      criteriaUrl: current.criteriaUrl,
      imageUrl: current.imageUrl,
      imageHighResolutionUrl: current.imageHighResolutionUrl,
      imageThumbnailUrl: current.imageThumbnailUrl,
      level: current.level,
      tags: current.tags.map((tag) => tag.name),
    };
    const after: Content = { ...before };
    for (const key of CONTENT_KEYS) {
      if (input[key] !== undefined) Object.assign(after, { [key]: input[key] });
    }
    const changedContent = CONTENT_KEYS.filter((key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]));

    const modeChanges = input.awardMode !== undefined && input.awardMode !== current.awardMode;
    if (modeChanges) await lockRules(tx, deps.provider, actor.organizationId, 'change');
    const rule = modeChanges ? await tx.awardRule.findUnique({ where: { templateId: current.id } }) : null;
    if (modeChanges) {
      const issued = await tx.award.count({ where: { templateId: current.id }, take: 1 });
      if (issued > 0) {
        throw new ConflictError('The award mode cannot change once awards have been issued from the template.', {
          field: 'awardMode',
          rule: 'immutableAfterIssue',
        });
      }
      if (input.awardMode === 'REPEATABLE' && rule?.actionWindowDays) {
        throw ValidationError.single(
          'awardMode',
          'actionWindowOnceOnly',
          'cannot be REPEATABLE while the template’s action rule has windowDays; change the rule first',
        );
      }
    }

    const newVersion = changedContent.length > 0 && current.activatedAt !== null;
    const version = newVersion ? current.version + 1 : current.version;
    const data: Prisma.BadgeTemplateUpdateInput = {
      ...templateColumns(after),
      version,
      updatedAt: now,
      ...(input.awardMode !== undefined ? { awardMode: input.awardMode } : {}),
      ...(input.validityDays !== undefined ? { validityDays: input.validityDays } : {}),
      ...(input.emailOnIssue !== undefined ? { emailOnIssue: input.emailOnIssue } : {}),
      ...(input.signatoryName !== undefined ? { signatoryName: input.signatoryName } : {}),
      ...(input.signatoryTitle !== undefined ? { signatoryTitle: input.signatoryTitle } : {}),
    };
    const template = await tx.badgeTemplate.update({ where: { id: current.id }, data });
    if (newVersion) {
      await tx.badgeTemplateVersion.create({ data: versionRow(actor.organizationId, current.id, version, after, now) });
    } else if (changedContent.length > 0) {
      await tx.badgeTemplateVersion.update({
        where: { templateId_version: { templateId: current.id, version } },
        data: after,
      });
    }
    if (changedContent.includes('tags')) await replaceTags(tx, actor.organizationId, current.id, after.tags);
    // A rule awards differently under the other mode: apply it again.
    const job = rule ? await queueBackfill(tx, actor.organizationId, current.id, rule.revision, now) : undefined;
    return { result: { template, newVersion, job }, events: [templateEvent(template, 'UPDATED'), ...(job ? [jobEvent(job)] : [])] };
  });
}

const TRANSITIONS: Record<'ACTIVE' | 'ARCHIVED', { from: BadgeTemplateState[]; change: TemplateChange }> = {
  ACTIVE: { from: ['DRAFT', 'ARCHIVED'], change: 'ACTIVATED' },
  ARCHIVED: { from: ['DRAFT', 'ACTIVE'], change: 'ARCHIVED' },
};

/** Activating makes a template issuable (again); archiving stops issuing but keeps its awards. */
export async function setTemplateState(deps: Deps, actor: Actor, templateId: string, state: 'ACTIVE' | 'ARCHIVED') {
  const now = deps.clock.now();
  const transition = TRANSITIONS[state];
  return commit(deps, async (tx) => {
    await lockRules(tx, deps.provider, actor.organizationId, 'change');
    const current = await tx.badgeTemplate.findFirst({ where: { id: templateId, organizationId: actor.organizationId } });
    if (!current) throw new NotFoundError('badge template');
    if (!transition.from.includes(current.state)) {
      throw new ConflictError(`The template is already ${current.state.toLowerCase()}.`, {
        field: 'id',
        rule: `stateIn:${transition.from.join(',')}`,
        state: current.state,
      });
    }
    const template = await tx.badgeTemplate.update({
      where: { id: current.id },
      data:
        state === 'ACTIVE'
          ? { state, activatedAt: current.activatedAt ?? now, archivedAt: null, updatedAt: now }
          : { state, archivedAt: now, updatedAt: now },
    });
    // Activating applies the template's rule to every earner; archiving stops a backfill under way.
    const rule = await tx.awardRule.findUnique({ where: { templateId: current.id }, select: { revision: true } });
    const job = rule ? await queueBackfill(tx, actor.organizationId, current.id, rule.revision, now) : undefined;
    return { result: template, events: [templateEvent(template, transition.change), ...(job ? [jobEvent(job)] : [])] };
  });
}

export interface TemplateFilter {
  states?: BadgeTemplateState[] | null;
  levels?: BadgeLevel[] | null;
  tag?: string | null;
  search?: string | null;
}

export function templateWhere(organizationId: string, filter: TemplateFilter = {}): Prisma.BadgeTemplateWhereInput {
  const search = searchNeedle(filter.search, 'filter.search');
  const tag = filter.tag?.trim() ? searchKey(filter.tag.trim()) : undefined;
  return {
    organizationId,
    ...(filter.states?.length ? { state: { in: filter.states } } : {}),
    ...(filter.levels?.length ? { level: { in: filter.levels } } : {}),
    ...(tag ? { tags: { some: { nameLower: tag } } } : {}),
    ...(search ? { searchText: { contains: search } } : {}),
  };
}
