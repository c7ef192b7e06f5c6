import type { Ack } from '@chat/contracts';
import { AppError, toErrorBody } from '../errors.js';
import type { FloodGuard } from './flood-guard.js';
import type { RateLimiter } from './rate-limiter.js';
import type { ChatSocket } from './server.js';

type AckCallback = (response: Ack<object>) => void;

/** Names the client may not trigger handlers for, even though the server listens to them. */
const RESERVED = new Set(['connect', 'connect_error', 'disconnect', 'disconnecting', 'error']);

/**
 * Runs before every event a socket emits: over the socket's event rate, or for an event nobody handles, the
 * event is answered with a catalogued error through its ack (RATE_LIMITED with retryAfterMs,
 * VALIDATION_FAILED) or, without an ack, dropped. Either way no handler runs. Every RATE_LIMITED, here or from
 * a handler, and every event dropped over the rate counts against the socket in `flood`.
 */
export function guardEvents(socket: ChatSocket, limiter: RateLimiter<ChatSocket>, flood: FloodGuard) {
  return (packet: unknown[], next: (error?: Error) => void) => {
    const [event] = packet;
    const last = packet.length > 1 ? packet.at(-1) : undefined;
    const ack = typeof last === 'function' ? (last as AckCallback) : undefined;
    const refuse = (error: AppError) => ack?.({ ok: false, error: toErrorBody(error) });
    const waitMs = limiter.take(socket);
    if (waitMs !== undefined) {
      refuse(new AppError('tooManyEvents', { retryAfterMs: waitMs }));
      return flood.refused(socket);
    }
    if (typeof event !== 'string' || RESERVED.has(event) || socket.listenerCount(event) === 0) {
      return refuse(
        new AppError('unknownEvent', { details: [{ path: '(event)', message: String(event).slice(0, 64) }] }),
      );
    }
    if (ack) {
      packet[packet.length - 1] = (response: Ack<object>) => {
        ack(response);
        if (!response.ok && response.error.code === 'RATE_LIMITED') flood.refused(socket);
      };
    }
    next();
  };
}
