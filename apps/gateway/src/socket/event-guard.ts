import type { Ack } from '@chat/contracts';
import { AppError, toErrorBody } from '../errors.js';
import type { RateLimiter } from './rate-limiter.js';
import type { ChatSocket } from './server.js';

/** Names the client may not trigger handlers for, even though the server listens to them. */
const RESERVED = new Set(['connect', 'connect_error', 'disconnect', 'disconnecting', 'error']);

/**
 * Runs before every event a socket emits: over the socket's event rate, or for an event nobody handles, the
 * event is answered with a catalogued error through its ack (RATE_LIMITED with retryAfterMs,
 * VALIDATION_FAILED) or, without an ack, dropped. Either way no handler runs.
 */
export function guardEvents(socket: ChatSocket, limiter: RateLimiter<ChatSocket>) {
  return (packet: unknown[], next: (error?: Error) => void) => {
    const [event] = packet;
    const ack = packet.length > 1 ? packet.at(-1) : undefined;
    const refuse = (error: AppError) => {
      if (typeof ack === 'function')
        (ack as (response: Ack<object>) => void)({ ok: false, error: toErrorBody(error) });
    };
    const waitMs = limiter.take(socket);
    if (waitMs !== undefined) {
      return refuse(new AppError('tooManyEvents', { retryAfterMs: waitMs }));
    }
    if (typeof event !== 'string' || RESERVED.has(event) || socket.listenerCount(event) === 0) {
      return refuse(
        new AppError('unknownEvent', { details: [{ path: '(event)', message: String(event).slice(0, 64) }] }),
      );
    }
    next();
  };
}
