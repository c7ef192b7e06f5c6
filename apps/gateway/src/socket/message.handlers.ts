import { messageSendSchema } from '@chat/contracts';
import type { Logger } from '@chat/runtime';
import { AppError } from '../errors.js';
import { type SendMessageDeps, sendMessage } from '../messaging/send-message.js';
import type { ChatSocket } from './server.js';
import { withAck } from './with-ack.js';

/** `message:send`: validate, hand to the domain, ack with the stored message or a catalogued error. */
export function registerMessageHandlers(
  socket: ChatSocket,
  deps: SendMessageDeps & { logger: Logger; maxPendingSends: number },
) {
  let inFlight = 0;
  socket.on(
    'message:send',
    withAck('message:send', messageSendSchema, deps.logger, async (payload) => {
      if (inFlight >= deps.maxPendingSends) {
        throw new AppError('RATE_LIMITED', 'Too many messages are waiting for their ack on this connection.');
      }
      inFlight += 1;
      try {
        return { message: await sendMessage(deps, socket.data.userId, payload) };
      } finally {
        inFlight -= 1;
      }
    }),
  );
}
