import { describe, expect, it } from 'vitest';
import { ConversationHeads } from './conversation-heads.js';

const head = (id: string, lastSeq = 1) => ({ _id: id, lastSeq, participants: [] });

describe('ConversationHeads', () => {
  it('drops the least recently written head beyond its capacity', () => {
    const heads = new ConversationHeads(2);
    heads.remember(head('a'));
    heads.remember(head('b'));
    heads.remember(head('a', 2));
    heads.remember(head('c'));
    expect(heads.get('b')).toBeUndefined();
    expect(heads.get('a')?.lastSeq).toBe(2);
    expect(heads.get('c')).toBeDefined();
    expect(heads.size).toBe(2);
  });

  it('forgets the given conversations, or all of them', () => {
    const heads = new ConversationHeads(10);
    for (const id of ['a', 'b', 'c']) heads.remember(head(id));
    heads.forget(['a']);
    expect([heads.get('a'), heads.get('b')?._id]).toEqual([undefined, 'b']);
    heads.forgetAll();
    expect(heads.size).toBe(0);
  });

  it('keeps nothing with a capacity of 0', () => {
    const heads = new ConversationHeads(0);
    heads.remember(head('a'));
    expect(heads.size).toBe(0);
  });
});
