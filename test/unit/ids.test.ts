import { encodeGlobalID } from '@pothos/plugin-relay';
import { describe, expect, it } from 'vitest';
import { decodeId, encodeNodeId } from '../../src/graphql/ids.js';

describe('encodeNodeId', () => {
  it('writes the same global ids as the relay plugin, ASCII or not', () => {
    const cases: Array<[string, string | number]> = [
      ['Award', 'cmf0k3x9a0001qz8h2v7y4n1b'],
      ['Earner', '3f2504e0-4f89-11d3-9a0c-0305e82c3301'],
      ['Organization', 42],
      ['Award', 'a'],
      ['Award', 'ab'],
      ['Award', 'é-ü'],
      ['Award', '漢字'],
      ['Award', 'tab\there'],
    ];
    for (const [typename, id] of cases) {
      expect(encodeNodeId(typename, id)).toBe(encodeGlobalID(typename, String(id)));
    }
    expect(decodeId('Award', encodeNodeId('Award', 'cmf0k3x9a0001qz8h2v7y4n1b'), 'id')).toBe('cmf0k3x9a0001qz8h2v7y4n1b');
  });
});
