import type { Logger } from '@chat/runtime';
import { AppError } from '../errors.js';
import { type SendMessageDeps, sendMessage } from '../messaging/send-message.js';
import { type GatewayMetrics, recordSend } from '../metrics.js';
import { InFlightLimit } from './in-flight-limit.js';
import type { RateLimiter } from './rate-limiter.js';
import type { ChatSocket, ClientHandlers } from './server.js';
import { withAck } from './with-ack.js';

/** `message:send`: validate, hand to the domain, ack with the stored message or a catalogued error. */
export function createMessageHandlers(
  deps: SendMessageDeps & {
    logger: Logger;
    metrics: GatewayMetrics;
    maxPendingSends: number;
    /** Sends per user, across their sockets on this gateway. */
    userSendLimiter: RateLimiter<string>;
  },
): Pick<ClientHandlers, 'message:send'> {
  /** Sends still waiting for their ack, per socket. */
  const awaitingAck = new InFlightLimit<ChatSocket>(deps.maxPendingSends, 'tooManyPendingSends');
  return {
    'message:send': withAck(
      'message:send',
      deps.logger,
      (socket, payload) =>
        awaitingAck.run(socket, async () => ({
          message: await sendMessage(deps, socket.data.userId, payload),
        })),
      (outcome, seconds) => recordSend(deps.metrics, outcome, seconds),
      {
        // Counted before the payload is parsed: a user over the rate costs no parse.
        admit: (socket) => {
          const retryAfterMs = deps.userSendLimiter.take(socket.data.userId);
          if (retryAfterMs !== undefined) throw new AppError('tooManySends', { retryAfterMs });
        },
      },
    ),
  };
}
