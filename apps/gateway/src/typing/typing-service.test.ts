import { Topics, type TypingChanged } from '@chat/contracts';
import type { EventBus, OutgoingEvent } from '@chat/event-bus';
import type { ChatModels } from '@chat/storage';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeIo } from '../../test/support/fake-io.js';
import { ConversationMembers } from '../conversations/conversation-members.js';
import { TypingService } from './typing-service.js';

const fact = (isTyping: boolean): TypingChanged => ({
  conversationId: 'grp_1',
  userId: 'alice',
  isTyping,
  memberIds: ['alice', 'bob', 'carol'],
  at: Date.now(),
});

/** Alice (typing), bob and carol connected here; dave too, but not a member. */
function service(expiryMs: number) {
  const io = new FakeIo().connect('alice').connect('bob').connect('carol').connect('dave');
  const typing = new TypingService(
    {
      bus: {} as EventBus,
      io: io.server,
      members: new ConversationMembers({} as ChatModels, 10),
      routes: { gatewaysOf: () => new Set() },
      gatewayId: 'g1',
    },
    expiryMs,
  );
  return { typing, calls: io.emits };
}

describe('TypingService', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("delivers a change to the gateways holding the conversation's members, and to its own", async () => {
    const published: Array<{ topic: string; events: OutgoingEvent<typeof Topics.typingChanged>[] }> = [];
    const asked: string[][] = [];
    const typing = new TypingService({
      bus: {
        publish: async (topic: string, events: OutgoingEvent<typeof Topics.typingChanged>[]) =>
          void published.push({ topic, events }),
      } as unknown as EventBus,
      io: new FakeIo().server,
      members: {
        require: async () => ({ participantIds: ['alice', 'bob', 'carol'] }),
      } as unknown as ConversationMembers,
      routes: {
        gatewaysOf: (userIds) => {
          asked.push([...userIds]);
          return new Set(['g2', 'g3']);
        },
      },
      gatewayId: 'g1',
    });
    await typing.change('alice', 'grp_1', true);
    expect(asked).toEqual([['alice', 'bob', 'carol']]);
    expect(published).toHaveLength(1);
    expect(published[0]?.topic).toBe(Topics.typingChanged);
    expect(published[0]?.events[0]?.value).toMatchObject({
      conversationId: 'grp_1',
      userId: 'alice',
      isTyping: true,
    });
    expect([...(published[0]?.events[0]?.deliverTo ?? [])].sort()).toEqual(['g1', 'g2', 'g3']);
  });

  it('shows typing to the other members once, however often it is refreshed, and expires it by itself', () => {
    const { typing, calls } = service(5000);
    const shown = { conversationId: 'grp_1', userId: 'alice', isTyping: true };
    const others = ['bob', 'carol'];
    typing.onChanged(fact(true));
    vi.advanceTimersByTime(3000);
    typing.onChanged(fact(true)); // a refresh: nothing to tell, the expiry starts again from now
    expect(calls).toEqual([[others, 'typing', shown]]);

    vi.advanceTimersByTime(4999);
    expect(calls, 'still typing: 5 s after the refresh, not after the start').toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(calls).toEqual([
      [others, 'typing', shown],
      [others, 'typing', { ...shown, isTyping: false }],
    ]);
    vi.advanceTimersByTime(60_000);
    expect(calls, 'told once').toHaveLength(2);
  });

  it('ends an indicator at once on stop, and ignores a stop of nothing', () => {
    const { typing, calls } = service(60_000);
    typing.onChanged(fact(false));
    expect(calls).toEqual([]);
    typing.onChanged(fact(true));
    typing.onChanged(fact(false));
    expect(calls.map(([, , body]) => (body as { isTyping: boolean }).isTyping)).toEqual([true, false]);
    typing.stop();
  });
});
