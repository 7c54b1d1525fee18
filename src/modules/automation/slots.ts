// The slot an automated award fills: "templateId:earnerId:slot", stored as Award.automationKey,
// unique and never freed, so a slot is awarded once however often rules run, retry or race.
// Slots: p<level> for a points milestone, m (ONCE) or m:<membershipId> for a membership, a (ONCE)
// or a:<actionId> for actions. The TypeScript and SQL forms side by side.
import { sql, type Sql } from '../../db/sql.js';

export function slotKey(templateId: string, earnerId: string, slot: string): string {
  return `${templateId}:${earnerId}:${slot}`;
}

/** SQL: the slot key from SQL expressions of the template id, the earner id and the slot. */
export function slotKeySql(templateId: Sql, earnerId: Sql, slot: Sql): Sql {
  return sql`${templateId} || ':' || ${earnerId} || ':' || ${slot}`;
}

/** The slot an award for one action fills (awardForAction, and reconciliation of action rules). */
export function actionSlotKey(templateId: string, earnerId: string, actionId: string, once: boolean): string {
  return slotKey(templateId, earnerId, once ? 'a' : `a:${actionId}`);
}

/** The part of a key after the template and earner ids. */
export function slotOf(key: string): string {
  return key.split(':').slice(2).join(':');
}
