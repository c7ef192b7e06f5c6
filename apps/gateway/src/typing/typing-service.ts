import { Limits, Topics, type TypingChanged, type TypingDto } from '@chat/contracts';
import type { EventBus } from '@chat/event-bus';
import type { ConversationMembers } from '../conversations/conversation-members.js';
import { conversationAudience, userRoom } from '../rooms.js';
import type { ChatServer } from '../socket/server.js';

interface Indicator {
  timer: NodeJS.Timeout;
  memberIds: string[];
}

/**
 * Typing indicators: never stored. A member's start or stop goes to the `typing.changed` topic (for downstream
 * consumers) and, like every fact, to the delivery topic of each gateway holding a member's socket (`routes`,
 * from the presence records) and of this gateway; each of those tells its own sockets of the other members, and
 * a gateway holding none of the members never reads it. Every gateway also expires each indicator by itself
 * `expiryMs` after its last refresh, so a client (or a gateway) that vanishes never leaves "typing…" behind.
 * Only changes reach clients: a refresh of a running indicator just restarts its timer. Facts arrive through
 * the facts consumer (`kafka/facts.consumer.ts`).
 */
export class TypingService {
  private readonly indicators = new Map<string, Indicator>();

  constructor(
    private readonly deps: {
      bus: EventBus;
      io: ChatServer;
      members: ConversationMembers;
      routes: { gatewaysOf(userIds: Iterable<string>): Set<string> };
      gatewayId: string;
    },
    private readonly expiryMs: number = Limits.typingExpiryMs,
  ) {}

  /** Publishes a member's start (or refresh) or stop; NOT_FOUND or FORBIDDEN for a non-member. */
  async change(userId: string, conversationId: string, isTyping: boolean): Promise<void> {
    const { participantIds } = await this.deps.members.require(conversationId, userId);
    await this.deps.bus.publish(Topics.typingChanged, [
      {
        key: conversationId,
        value: { conversationId, userId, isTyping, memberIds: participantIds, at: Date.now() },
        deliverTo: this.deps.routes.gatewaysOf(participantIds).add(this.deps.gatewayId),
      },
    ]);
  }

  /** A `typing.changed` fact from any gateway, delivered here because it concerns a member connected here. */
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
    const typing: TypingDto = { conversationId, userId, isTyping };
    conversationAudience(this.deps.io, conversationId, memberIds)
      ?.except(userRoom(userId))
      .emit('typing', typing);
  }
}
