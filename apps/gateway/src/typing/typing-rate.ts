import { AppError } from '../errors.js';
import type { ChatSocket } from '../socket/server.js';

/**
 * At most `max` typing events per socket in each window of `windowMs`; beyond it they are refused
 * (RATE_LIMITED) before any work. Kept per socket object, so a closed socket's count goes with it.
 */
export class TypingRate {
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
