// Points rules, applied to the balances a points change moved: each rule reconciles only the
// earners whose balance crossed one of its levels, in the direction it crossed.
import type { Provider } from '../../db/provider.js';
import type { Tx } from '../../db/transaction.js';
import { mergeReconciled, reconcile, type Reconciled } from './reconcile.js';
import { MAX_POINTS_LEVELS, rulesFor, type Rule, type RuleOfTemplate } from './rules.js';

/** One earner's balance in a category moved from `before` to `after`. */
export interface BalanceChange {
  earnerId: string;
  category: string;
  before: number;
  after: number;
}

/** The number of live awards a points rule wants for a balance (its slots p1..pN). */
export function pointsLevel(rule: Pick<RuleOfTemplate, 'pointsThreshold' | 'once'>, balance: number): number {
  const levels = Math.floor(Math.max(balance, 0) / rule.pointsThreshold!);
  return Math.min(levels, rule.once ? 1 : MAX_POINTS_LEVELS);
}

/**
 * Applies the organization's points rules to the changes, in the caller's transaction (which holds
 * the earners' locks and took `now` after it had them).
 */
export async function applyPointsRules(
  tx: Tx,
  provider: Provider,
  organizationId: string,
  changes: readonly BalanceChange[],
  now: Date,
  triggeredByApiKeyId: string | null,
): Promise<Reconciled> {
  if (changes.length === 0) return mergeReconciled([]);
  const categories = [...new Set(changes.map((change) => change.category))];
  // A rule no balance moved across a level of is dropped before its template (ONCE or
  // REPEATABLE) is read: counted as REPEATABLE, every crossing a ONCE rule can have shows.
  const movedAcrossALevel = (rule: Rule) => {
    const counted = { pointsThreshold: rule.pointsThreshold, once: false };
    return changes.some((change) => change.category === rule.pointsCategory && pointsLevel(counted, change.before) !== pointsLevel(counted, change.after));
  };
  const rules = await rulesFor(tx, provider, organizationId, { kind: 'POINTS', pointsCategory: { in: categories } }, movedAcrossALevel);
  const reconciled: Reconciled[] = [];
  for (const rule of rules) {
    const up: string[] = [];
    const down: string[] = [];
    for (const change of changes) {
      if (change.category !== rule.pointsCategory) continue;
      const [from, to] = [pointsLevel(rule, change.before), pointsLevel(rule, change.after)];
      if (to > from) up.push(change.earnerId);
      else if (to < from) down.push(change.earnerId);
    }
    if (up.length) reconciled.push(await reconcile(tx, provider, rule, { earnerIds: up }, now, { triggeredByApiKeyId, direction: 'up' }));
    if (down.length) reconciled.push(await reconcile(tx, provider, rule, { earnerIds: down }, now, { triggeredByApiKeyId, direction: 'down' }));
  }
  return mergeReconciled(reconciled);
}
