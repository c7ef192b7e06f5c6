import type { TypingChanged } from '@chat/contracts';
import type { EventBus } from '@chat/event-bus';
import type { ChatModels } from '@chat/storage';
import { describe, expect, it } from 'vitest';
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
  it('shows typing to the other members once, however often it is refreshed, and expires it by itself', async () => {
    const calls: Array<[string[], unknown]> = [];
    const typing = service(calls, 50);
    const shown = { conversationId: 'grp_1', userId: 'alice', isTyping: true };
    typing.onChanged(fact(true));
    typing.onChanged(fact(true));
    expect(calls).toEqual([[['user:bob', 'user:carol'], shown]]);
    const started = Date.now();
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (calls.length < 2) return;
        clearInterval(poll);
        resolve();
      }, 5);
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(calls[1]).toEqual([['user:bob', 'user:carol'], { ...shown, isTyping: false }]);
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
