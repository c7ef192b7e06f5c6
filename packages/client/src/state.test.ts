import { describe, expect, it } from 'vitest';
import { parseState } from './state.js';

describe('parseState', () => {
  it('accepts what state() produces, after a trip through JSON', () => {
    const state = {
      version: 1 as const,
      conversations: { dm_a: 3, grp_b: 0 },
      syncedAt: new Date().toISOString(),
      outbox: [
        { clientMessageId: 'x', conversationId: 'grp_b', text: 'hi' },
        { clientMessageId: 'y', conversationId: 'grp_b', text: 'yes', replyToId: 'msg_x' },
      ],
    };
    expect(parseState(JSON.parse(JSON.stringify(state)))).toEqual(state);
  });

  it('names every problem of a state that is not one', () => {
    expect(() =>
      parseState({
        version: 2,
        conversations: { dm_a: -1 },
        syncedAt: 'yesterday',
        outbox: [{ clientMessageId: 'x', otherUserId: 'bob', conversationId: 'dm_a', text: 'hi' }],
      }),
    ).toThrow(/version must be 1; syncedAt .*; conversations.dm_a must be a seq; outbox\[0\]/);
    expect(() =>
      parseState({
        version: 1,
        conversations: {},
        syncedAt: new Date().toISOString(),
        outbox: [{ clientMessageId: 'x', otherUserId: 'bob', text: 'hi', replyToId: 7 }],
      }),
    ).toThrow('outbox[0].replyToId must be a message id');
    expect(() => parseState(null)).toThrow(TypeError);
  });
});
