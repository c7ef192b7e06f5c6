import { describe, expect, it } from 'vitest';
import { messageId, oneToOneConversationId } from './ids.js';

describe('oneToOneConversationId', () => {
  it('is the same whatever the order of the pair', () => {
    expect(oneToOneConversationId('alice', 'bob')).toBe(oneToOneConversationId('bob', 'alice'));
  });

  it('differs for different pairs, also when naive concatenation would collide', () => {
    expect(oneToOneConversationId('ab', 'c')).not.toBe(oneToOneConversationId('a', 'bc'));
    expect(oneToOneConversationId('a:b', 'c')).not.toBe(oneToOneConversationId('a', 'b:c'));
  });

  it('is URL- and room-name-safe', () => {
    expect(oneToOneConversationId('ü ser/1', 'x?y')).toMatch(/^dm_[A-Za-z0-9_-]{22}$/);
  });
});

describe('messageId', () => {
  it('is derived from the idempotency key, so a resend maps to the same id', () => {
    expect(messageId('c', 'alice', 'm1')).toBe(messageId('c', 'alice', 'm1'));
    expect(messageId('c', 'alice', 'm1')).not.toBe(messageId('c', 'bob', 'm1'));
    expect(messageId('c', 'alice', 'm1')).not.toBe(messageId('c', 'alice', 'm2'));
  });
});
