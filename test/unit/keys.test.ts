// Keys that make automated awards and ONCE awards unique: the slot an automated award fills and
// the hold key of a ONCE template's live award, in TypeScript and SQL.
import { describe, expect, it } from 'vitest';
import { sql } from '../../src/db/sql.js';
import { actionSlotKey, slotKey, slotKeySql, slotOf } from '../../src/modules/automation/slots.js';
import { onceHoldKey, onceHoldKeySql } from '../../src/modules/awards/status.js';

const template = '0190a6f2-7b3c-7000-8000-000000000001';
const earner = '0190a6f2-7b3c-7000-8000-000000000002';

describe('slot keys', () => {
  it('join template, earner and slot, and give the slot back', () => {
    expect(slotKey(template, earner, 'p3')).toBe(`${template}:${earner}:p3`);
    expect(slotOf(slotKey(template, earner, 'p3'))).toBe('p3');
    // Membership and action slots carry an id after their own colon.
    expect(slotOf(slotKey(template, earner, 'm:abc'))).toBe('m:abc');
  });

  it('give ONCE action templates one slot per earner, and repeatable ones one per action', () => {
    expect(actionSlotKey(template, earner, 'action-1', true)).toBe(actionSlotKey(template, earner, 'action-2', true));
    expect(actionSlotKey(template, earner, 'action-1', false)).not.toBe(actionSlotKey(template, earner, 'action-2', false));
    expect(slotOf(actionSlotKey(template, earner, 'action-1', false))).toBe('a:action-1');
    expect(slotOf(actionSlotKey(template, earner, 'action-1', true))).toBe('a');
  });

  it('are written the same way in SQL', () => {
    const key = slotKeySql(sql`${template}`, sql`${earner}`, sql`${'p3'}`);
    expect(key.sql).toBe(`? || ':' || ? || ':' || ?`);
    expect(key.values).toEqual([template, earner, 'p3']);
    expect(key.values.join(':')).toBe(slotKey(template, earner, 'p3'));
  });
});

describe('ONCE hold keys', () => {
  it('join template and earner, in TypeScript and SQL alike', () => {
    expect(onceHoldKey(template, earner)).toBe(`${template}:${earner}`);
    const key = onceHoldKeySql(sql`${template}`, sql`${earner}`);
    expect(key.sql).toBe(`? || ':' || ?`);
    expect(key.values.join(':')).toBe(onceHoldKey(template, earner));
  });

  it('differ from every slot key of the same template and earner', () => {
    expect(onceHoldKey(template, earner)).not.toBe(slotKey(template, earner, ''));
  });
});
