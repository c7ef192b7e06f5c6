import { Limits, Topics, type TypingChanged, type TypingDto } from '@chat/contracts';
import type { EventBus } from '@chat/event-bus';
import type { ConversationMembers } from '../groups/conversation-members.js';
import { userRoom } from '../rooms.js';
import type { ChatServer } from '../socket/server.js';

interface Indicator {
  timer: NodeJS.Timeout;
  memberIds: string[];
}

/**
 * Typing indicators: never stored. A member's start or stop goes to the `typing.changed` topic; every gateway
 * reads it and tells its own sockets of the other members. Every gateway also expires each indicator by itself
 * `expiryMs` after its last refresh, so a client (or a gateway) that vanishes never leaves "typing…" behind.
 * Only changes reach clients: a refresh of a running indicator just restarts its timer. Typing is read by a
 * consumer of its own (group `<groupId>`), never in the consumer that delivers messages, so no burst of typing
 * can queue in front of a message.
 */
export class TypingService {
  private readonly indicators = new Map<string, Indicator>();

  constructor(
    private readonly deps: { bus: EventBus; io: ChatServer; members: ConversationMembers },
    private readonly expiryMs: number = Limits.typingExpiryMs,
  ) {}

  /** Starts reading `typing.changed` (new records only) with a consumer group of this gateway's own. */
  async start(groupId: string): Promise<void> {
    await this.deps.bus.subscribe({
      groupId,
      fromBeginning: false,
      commitOffsets: false,
      handlers: {
        [Topics.typingChanged]: async (events) => {
          for (const { value } of events) this.onChanged(value);
        },
      },
    });
  }

  /** Publishes a member's start (or refresh) or stop; NOT_FOUND or FORBIDDEN for a non-member. */
  async change(userId: string, conversationId: string, isTyping: boolean): Promise<void> {
    const { participantIds } = await this.deps.members.require(conversationId, userId);
    await this.deps.bus.publish(Topics.typingChanged, [
      {
        key: conversationId,
        value: { conversationId, userId, isTyping, memberIds: participantIds, at: Date.now() },
      },
    ]);
  }

  /** A `typing.changed` fact from any gateway. */
  onChanged(fact: TypingChanged): void {
    const key = JSON.stringify([fact.conversationId, fact.userId]);
    const running = this.indicators.get(key);
    if (running) clearTimeout(running.timer);
    if (!fact.isTyping) {
      this.indicators.delete(key);
      if (running) this.tell(fact.conversationId, fact.userId, false, fact.memberIds);
      return;
    }
    const timer = setTimeout(() => {
      this.indicators.delete(key);
      this.tell(fact.conversationId, fact.userId, false, fact.memberIds);
    }, this.expiryMs);
    timer.unref();
    this.indicators.set(key, { timer, memberIds: fact.memberIds });
    if (!running) this.tell(fact.conversationId, fact.userId, true, fact.memberIds);
  }

  stop(): void {
    for (const { timer } of this.indicators.values()) clearTimeout(timer);
    this.indicators.clear();
  }

  private tell(conversationId: string, userId: string, isTyping: boolean, memberIds: string[]): void {
    const others = memberIds.filter((id) => id !== userId).map(userRoom);
    if (others.length === 0) return;
    const typing: TypingDto = { conversationId, userId, isTyping };
    this.deps.io.to(others).emit('typing', typing);
  }
}
