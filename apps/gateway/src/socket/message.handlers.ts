import type { Logger } from '@chat/runtime';
import { AppError } from '../errors.js';
import { deleteMessage, editMessage, reactToMessage } from '../messaging/message-changes.js';
import { type SendMessageDeps, sendMessage } from '../messaging/send-message.js';
import { type GatewayMetrics, recordSend } from '../metrics.js';
import { InFlightLimit } from './in-flight-limit.js';
import type { RateLimiter } from './rate-limiter.js';
import type { ChatSocket, ClientHandlers } from './server.js';
import { withAck } from './with-ack.js';

/**
 * `message:send`, `message:edit`, `message:delete`, `message:react`: validate, hand to the domain, ack with the
 * stored result or a catalogued error. Changes count against the same per-user rate and per-socket pending
 * limit as sends: each is a command the persister stores.
 */
export function createMessageHandlers(
  deps: SendMessageDeps & {
    logger: Logger;
    metrics: GatewayMetrics;
    maxPendingSends: number;
    /** Sends per user, across their sockets on this gateway. */
    userSendLimiter: RateLimiter<string>;
  },
): Pick<ClientHandlers, 'message:send' | 'message:edit' | 'message:delete' | 'message:react'> {
  /** Sends and changes still waiting for their ack, per socket. */
  const awaitingAck = new InFlightLimit<ChatSocket>(deps.maxPendingSends, 'tooManyPendingSends');
  // Counted before the payload is parsed: a user over the rate costs no parse.
  const admit = (socket: ChatSocket) => {
    const retryAfterMs = deps.userSendLimiter.take(socket.data.userId);
    if (retryAfterMs !== undefined) throw new AppError('tooManySends', { retryAfterMs });
  };
  return {
    'message:send': withAck(
      'message:send',
      deps.logger,
      (socket, payload) =>
        awaitingAck.run(socket, async () => ({
          message: await sendMessage(deps, socket.data.userId, payload),
        })),
      (outcome, seconds) => recordSend(deps.metrics, outcome, seconds),
      { admit },
    ),
    'message:edit': withAck(
      'message:edit',
      deps.logger,
      (socket, payload) => awaitingAck.run(socket, () => editMessage(deps, socket.data.userId, payload)),
      undefined,
      { admit },
    ),
    'message:delete': withAck(
      'message:delete',
      deps.logger,
      (socket, payload) => awaitingAck.run(socket, () => deleteMessage(deps, socket.data.userId, payload)),
      undefined,
      { admit },
    ),
    'message:react': withAck(
      'message:react',
      deps.logger,
      (socket, payload) => awaitingAck.run(socket, () => reactToMessage(deps, socket.data.userId, payload)),
      undefined,
      { admit },
    ),
  };
}
