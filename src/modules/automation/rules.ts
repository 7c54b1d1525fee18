// Award rules: how a template awards by itself. A template has at most one rule, of exactly one
// kind: a badge earned two ways at once would have two answers to "is it still earned?".
import type { Actor, Deps } from '../../deps.js';
import { dialectFor } from '../../db/dialect.js';
import type { Provider } from '../../db/provider.js';
import { commit, type Tx } from '../../db/transaction.js';
import type { DomainEvent } from '../../events/events.js';
import { type Prisma, type AwardRule, type AwardRuleKind } from '../../generated/prisma-sqlite/client.js';
import { sql } from '../../db/sql.js';
import { ConflictError, NotFoundError, ValidationError } from '../../shared/errors.js';
import { addIssue, omittable, parseInput, text, z } from '../../shared/validation.js';

/** A REPEATABLE points rule awards one badge per multiple of its threshold, up to this many. */
export const MAX_POINTS_LEVELS = 100;

/** What reconciliation needs of a rule's template (rulesFor reads it with the rule). */
export type TemplateForAutomation = {
  id: string;
  state: string;
  awardMode: 'ONCE' | 'REPEATABLE';
  version: number;
  validityDays: number | null;
  imageUrl: string | null;
  imageHighResolutionUrl: string | null;
  imageThumbnailUrl: string | null;
  emailOnIssue: boolean;
};

export const TEMPLATE_FOR_AUTOMATION = {
  id: true,
  state: true,
  awardMode: true,
  version: true,
  validityDays: true,
  imageUrl: true,
  imageHighResolutionUrl: true,
  imageThumbnailUrl: true,
  emailOnIssue: true,
} as const;

export interface Rule {
  id: string;
  organizationId: string;
  templateId: string;
  kind: AwardRuleKind;
  revision: number;
  pointsCategory: string | null;
  pointsThreshold: number | null;
  productIds: string[];
  actionType: string | null;
  actionMinCount: number;
  actionWindowDays: number | null;
}

/** The product ids of a membership rule (a JSON array in the database). */
export function productIdsOf(stored: unknown): string[] {
  return Array.isArray(stored) ? stored.map(String) : [];
}

export function toRule(row: AwardRule): Rule {
  return {
    id: row.id,
    organizationId: row.organizationId,
    templateId: row.templateId,
    kind: row.kind,
    revision: row.revision,
    pointsCategory: row.pointsCategory,
    pointsThreshold: row.pointsThreshold,
    productIds: productIdsOf(row.productIds),
    actionType: row.actionType,
    actionMinCount: row.actionMinCount ?? 1,
    actionWindowDays: row.actionWindowDays,
  };
}

/** Names of points categories and action types: what integrators send, kept as sent. */
export const identifier = (max: number) =>
  z
    .string()
    .trim()
    .regex(new RegExp(`^[A-Za-z0-9][A-Za-z0-9_.:-]{0,${max - 1}}$`), {
      message: `must be 1 to ${max} characters of A-Z a-z 0-9 _ . : -, starting with a letter or digit`,
    });

const ruleInput = z
  .object({
    points: z
      .object({
        category: identifier(64),
        threshold: z.number().int('must be a whole number').min(1, 'must be at least 1').max(1_000_000_000, 'must be at most 1000000000'),
      })
      .nullish(),
    membership: z
      .object({
        productIds: z
          .array(text(200))
          .min(1, 'must name at least one product')
          .max(100, 'must name at most 100 products')
          .transform((ids) => [...new Set(ids)]),
      })
      .nullish(),
    action: z
      .object({
        type: identifier(100),
        minCount: omittable(z.number().int('must be a whole number').min(1, 'must be at least 1').max(100_000, 'must be at most 100000')),
        windowDays: z.number().int('must be a whole number of days').min(1, 'must be at least 1 day').max(3650, 'must be at most 3650 days').nullish(),
      })
      .nullish(),
  })
  .superRefine((input, context) => {
    const given = (['points', 'membership', 'action'] as const).filter((kind) => input[kind]);
    if (given.length !== 1) {
      for (const kind of given.length ? given : (['points', 'membership', 'action'] as const)) {
        addIssue(context, [kind], 'exactlyOne', 'give exactly one of points, membership and action: a template awards by one kind of rule');
      }
    }
  });

export type RuleInput = z.input<typeof ruleInput>;

const KIND_OF: Record<'points' | 'membership' | 'action', AwardRuleKind> = {
  points: 'POINTS',
  membership: 'MEMBERSHIP',
  action: 'ACTION',
};

function ruleEvent(organizationId: string, templateId: string, version: number, at: Date): DomainEvent {
  return { kind: 'template', change: 'UPDATED', organizationId, templateId, version, at: at.toISOString() };
}

/**
 * Queues the job that applies a template's rule to every earner (src/modules/automation/jobs.ts),
 * superseding any job for an older revision. Nothing is queued for a template that is not active.
 */
export async function queueBackfill(tx: Tx, organizationId: string, templateId: string, revision: number, now: Date) {
  await supersedeJobs(tx, templateId, now);
  const template = await tx.badgeTemplate.findUniqueOrThrow({ where: { id: templateId }, select: { state: true } });
  if (template.state !== 'ACTIVE') return undefined;
  return tx.automationJob.create({ data: { organizationId, templateId, ruleRevision: revision, createdAt: now } });
}

/** Stops the template's queued or running jobs: their rule changed or is gone. */
function supersedeJobs(tx: Tx, templateId: string, now: Date) {
  return tx.automationJob.updateMany({
    where: { templateId, status: { in: ['QUEUED', 'RUNNING'] } },
    data: { status: 'SUPERSEDED', finishedAt: now, claimedBy: null, claimedUntil: null },
  });
}

/**
 * Sets a template's rule. Changing its parameters keeps the kind; another kind while one is set is
 * refused: remove the rule first. The rule is then applied to every earner by a backfill job.
 */
export async function setAwardRule(deps: Deps, actor: Actor, templateId: string, rawInput: RuleInput) {
  const input = parseInput(ruleInput, rawInput);
  const given = (['points', 'membership', 'action'] as const).find((kind) => input[kind])!;
  const kind = KIND_OF[given];
  const now = deps.clock.now();
  return commit(deps, async (tx) => {
    await lockRules(tx, deps.provider, actor.organizationId, 'change');
    const template = await tx.badgeTemplate.findFirst({
      where: { id: templateId, organizationId: actor.organizationId },
      select: { id: true, awardMode: true, version: true, rule: true },
    });
    if (!template) throw new NotFoundError('badge template', 'templateId');
    if (template.rule && template.rule.kind !== kind) {
      throw ValidationError.single(
        given,
        'oneKindPerTemplate',
        `cannot be set: the template already awards by ${template.rule.kind.toLowerCase()} rule; remove that rule first`,
      );
    }
    if (kind === 'ACTION' && template.awardMode === 'REPEATABLE' && input.action?.windowDays) {
      throw ValidationError.single(
        'action.windowDays',
        'onceOnly',
        'applies to ONCE templates only: a REPEATABLE template awards for every minCount actions, whenever they happened',
      );
    }
    const data = {
      kind,
      pointsCategory: input.points?.category ?? null,
      pointsThreshold: input.points?.threshold ?? null,
      productIds: input.membership?.productIds ?? [],
      actionType: input.action?.type ?? null,
      actionMinCount: kind === 'ACTION' ? (input.action?.minCount ?? 1) : null,
      actionWindowDays: input.action?.windowDays ?? null,
      updatedAt: now,
    };
    const rule = template.rule
      ? await tx.awardRule.update({ where: { id: template.rule.id }, data: { ...data, revision: { increment: 1 } } })
      : await tx.awardRule.create({
          data: { ...data, organizationId: actor.organizationId, templateId: template.id, createdAt: now },
        });
    const job = await queueBackfill(tx, actor.organizationId, template.id, rule.revision, now);
    return {
      result: { rule, job },
      events: [ruleEvent(actor.organizationId, templateId, template.version, now), ...(job ? [jobEvent(job)] : [])],
    };
  });
}

/** Removes a template's rule. Awards it made stay as they are; nothing revokes them any more. */
export async function removeAwardRule(deps: Deps, actor: Actor, templateId: string) {
  const now = deps.clock.now();
  await commit(deps, async (tx) => {
    await lockRules(tx, deps.provider, actor.organizationId, 'change');
    const template = await tx.badgeTemplate.findFirst({
      where: { id: templateId, organizationId: actor.organizationId },
      select: { id: true, version: true, rule: { select: { id: true } } },
    });
    if (!template) throw new NotFoundError('badge template', 'templateId');
    if (!template.rule) throw new ConflictError('The template has no award rule.', { field: 'templateId', rule: 'hasRule' });
    await tx.awardRule.delete({ where: { id: template.rule.id } });
    await supersedeJobs(tx, templateId, now);
    return { result: undefined, events: [ruleEvent(actor.organizationId, templateId, template.version, now)] };
  });
}

export function jobEvent(job: { id: string; organizationId: string; templateId: string; status: string; updatedAt: Date }): DomainEvent {
  return {
    kind: 'automationJob',
    organizationId: job.organizationId,
    jobId: job.id,
    templateId: job.templateId,
    status: job.status as 'QUEUED',
    at: job.updatedAt.toISOString(),
  };
}

/**
 * Orders rule changes and the activity that applies rules, per organization, on PostgreSQL.
 * Activity reads the rules it applies inside its transaction, holding a shared lock; a rule change
 * (or a template activated, archived, or switched between ONCE and REPEATABLE) holds it
 * exclusively. So either the activity commits before the change, and the backfill queued by the
 * change (run after its commit) sees the activity; or the activity waits for the change and
 * applies the new rule itself. Without this, an activity racing a rule change could be missed by
 * both. SQLite needs nothing: its transactions already run one at a time, and activity reads the
 * rules after its first write.
 */
export async function lockRules(tx: Tx, provider: Provider, organizationId: string, mode: 'apply' | 'change'): Promise<void> {
  const lock = dialectFor(provider).transactionLock(`award-rules:${organizationId}`, mode === 'apply' ? 'shared' : 'exclusive');
  if (lock) await tx.$executeRaw(lock);
}

/** A rule with its template's award mode, as the activity paths need it. */
export type RuleOfTemplate = Rule & { once: boolean; template: TemplateForAutomation };

/**
 * The organization's rules matching `where` and `keep`, read under the shared lock (see
 * lockRules), with their templates. The templates are read only for kept rules, and not at all
 * when none is kept (the common case of a change that moves no rule).
 */
export async function rulesFor(
  tx: Tx,
  provider: Provider,
  organizationId: string,
  where: Prisma.AwardRuleWhereInput,
  keep: (rule: Rule) => boolean = () => true,
): Promise<RuleOfTemplate[]> {
  await lockRules(tx, provider, organizationId, 'apply');
  const rules = (await tx.awardRule.findMany({ where: { ...where, organizationId }, orderBy: { createdAt: 'asc' } })).map(toRule).filter(keep);
  if (!rules.length) return [];
  const templates = await tx.badgeTemplate.findMany({ where: { id: { in: [...new Set(rules.map((rule) => rule.templateId))] } }, select: TEMPLATE_FOR_AUTOMATION });
  const byId = new Map(templates.map((template) => [template.id, template]));
  return rules.map((rule) => {
    const template = byId.get(rule.templateId)!;
    return { ...rule, once: template.awardMode === 'ONCE', template };
  });
}
