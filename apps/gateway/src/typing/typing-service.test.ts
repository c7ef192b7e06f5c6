import type { TypingChanged } from '@chat/contracts';
import type { EventBus } from '@chat/event-bus';
import type { ChatModels } from '@chat/storage';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConversationMembers } from '../groups/conversation-members.js';
import type { ChatServer } from '../socket/server.js';
import { TypingService } from './typing-service.js';

/** Records every emit: the rooms it went to and its body. */
function recordingIo(calls: Array<[string[], unknown]>): ChatServer {
  return {
    to: (rooms: string[]) => ({ emit: (_event: string, body: unknown) => calls.push([rooms, body]) }),
  } as unknown as ChatServer;
}

const fact = (isTyping: boolean): TypingChanged => ({
  conversationId: 'grp_1',
  userId: 'alice',
  isTyping,
  memberIds: ['alice', 'bob', 'carol'],
  at: Date.now(),
});

function service(calls: Array<[string[], unknown]>, expiryMs: number) {
  return new TypingService(
    {
      bus: {} as EventBus,
      io: recordingIo(calls),
      members: new ConversationMembers({} as ChatModels, 10),
    },
    expiryMs,
  );
}

describe('TypingService', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('shows typing to the other members once, however often it is refreshed, and expires it by itself', () => {
    const calls: Array<[string[], unknown]> = [];
    const typing = service(calls, 5000);
    const shown = { conversationId: 'grp_1', userId: 'alice', isTyping: true };
    const others = ['user:bob', 'user:carol'];
    typing.onChanged(fact(true));
    vi.advanceTimersByTime(3000);
    typing.onChanged(fact(true)); // a refresh: nothing to tell, the expiry starts again from now
    expect(calls).toEqual([[others, shown]]);

    vi.advanceTimersByTime(4999);
    expect(calls, 'still typing: 5 s after the refresh, not after the start').toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(calls).toEqual([
      [others, shown],
      [others, { ...shown, isTyping: false }],
    ]);
    vi.advanceTimersByTime(60_000);
    expect(calls, 'told once').toHaveLength(2);
  });

  it('ends an indicator at once on stop, and ignores a stop of nothing', () => {
    const calls: Array<[string[], unknown]> = [];
    const typing = service(calls, 60_000);
    typing.onChanged(fact(false));
    expect(calls).toEqual([]);
    typing.onChanged(fact(true));
    typing.onChanged(fact(false));
    expect(calls.map(([, body]) => (body as { isTyping: boolean }).isTyping)).toEqual([true, false]);
    typing.stop();
  });
});
