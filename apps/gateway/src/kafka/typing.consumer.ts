import { Topics } from '@chat/contracts';
import type { EventBus } from '@chat/event-bus';
import type { TypingService } from '../typing/typing-service.js';

/**
 * Reads `typing.changed` (new records only) with a consumer group of this gateway's own, never in the consumer
 * that delivers messages, so no burst of typing can queue in front of a message.
 */
export function consumeTyping(deps: { bus: EventBus; typing: TypingService; groupId: string }) {
  return deps.bus.subscribe({
    groupId: deps.groupId,
    fromBeginning: false,
    commitOffsets: false,
    handlers: {
      [Topics.typingChanged]: async (events) => {
        for (const { value } of events) deps.typing.onChanged(value);
      },
    },
  });
}
