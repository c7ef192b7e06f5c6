import { Limits } from '@chat/contracts';
import type { Logger } from '@chat/runtime';
import { AppError } from '../errors.js';
import type { TypingService } from '../typing/typing-service.js';
import type { ChatSocket, ClientHandlers } from './server.js';
import { withAck } from './with-ack.js';

/**
 * At most `max` typing events per socket in each window of `windowMs`; beyond it they are refused
 * (RATE_LIMITED) before any work. Kept per socket object, so a closed socket's count goes with it.
 */
class TypingRate {
  private readonly windows = new WeakMap<ChatSocket, { start: number; count: number }>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
  ) {}

  take(socket: ChatSocket): void {
    const now = Date.now();
    const window = this.windows.get(socket);
    if (!window || now - window.start >= this.windowMs) {
      this.windows.set(socket, { start: now, count: 1 });
      return;
    }
    if (window.count >= this.max) throw new AppError('typingTooFast');
    window.count += 1;
  }
}

/** `typing:start` / `typing:stop`: never stored, ack optional, rate-limited per socket. */
export function createTypingHandlers(deps: {
  typing: TypingService;
  logger: Logger;
}): Pick<ClientHandlers, 'typing:start' | 'typing:stop'> {
  const rate = new TypingRate(Limits.typingEventsPerWindow, Limits.typingRateWindowMs);
  const handler = (isTyping: boolean) => async (socket: ChatSocket, payload: { conversationId: string }) => {
    rate.take(socket);
    await deps.typing.change(socket.data.userId, payload.conversationId, isTyping);
    return {};
  };
  return {
    'typing:start': withAck('typing:start', deps.logger, handler(true)),
    'typing:stop': withAck('typing:stop', deps.logger, handler(false)),
  };
}
