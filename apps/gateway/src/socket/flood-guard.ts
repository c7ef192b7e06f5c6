import type { Logger } from '@chat/runtime';
import { AppError, toErrorBody } from '../errors.js';
import { RateLimiter } from './rate-limiter.js';
import type { ChatSocket } from './server.js';

/**
 * Refusing is cheap, but not free: a client that ignores RATE_LIMITED and keeps sending makes the gateway
 * parse and answer every event. Each socket may collect `limit` refusals (RATE_LIMITED answers and events
 * dropped over the event rate), regaining a tenth of that each second; past it the socket is told
 * `session:closed` (RATE_LIMITED, with `retryAfterMs`) and disconnected, and its user's new sockets on this
 * gateway are refused for `cooldownMs`, so reconnecting does not buy a fresh allowance.
 */
export class FloodGuard {
  private readonly refusals: RateLimiter<ChatSocket>;
  /** Users whose socket was closed for flooding, and until when their new sockets are refused. */
  private readonly coolingUntil = new Map<string, number>();

  constructor(
    limit: number,
    private readonly cooldownMs: number,
    private readonly logger: Pick<Logger, 'info'>,
    private readonly now: () => number = Date.now,
  ) {
    this.refusals = new RateLimiter<ChatSocket>(limit / 10, limit, { now });
  }

  /** Counts one refusal of `socket`; past the limit, closes it. */
  refused(socket: ChatSocket): void {
    if (this.refusals.take(socket) === undefined || !socket.connected) return;
    this.refusals.forget(socket);
    this.coolingUntil.set(socket.data.userId, this.now() + this.cooldownMs);
    this.logger.info({ userId: socket.data.userId, socketId: socket.id }, 'socket closed for flooding');
    const error = new AppError('tooManyRefusals', { retryAfterMs: this.cooldownMs });
    socket.emit('session:closed', toErrorBody(error));
    socket.disconnect(true);
  }

  /** How long `userId` must still wait before a new socket is accepted; undefined when it need not. */
  coolingMs(userId: string): number | undefined {
    const until = this.coolingUntil.get(userId);
    if (until === undefined) return undefined;
    const left = until - this.now();
    if (left > 0) return left;
    this.coolingUntil.delete(userId);
    return undefined;
  }

  /** Forgets sockets whose allowance is whole again and users whose cool-down is over. */
  sweep(): void {
    this.refusals.sweep();
    const now = this.now();
    for (const [userId, until] of this.coolingUntil) if (until <= now) this.coolingUntil.delete(userId);
  }
}
