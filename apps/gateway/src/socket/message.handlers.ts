import { messageSendSchema } from '@chat/contracts';
import type { Logger } from '@chat/runtime';
import { AppError } from '../errors.js';
import { type SendMessageDeps, sendMessage } from '../messaging/send-message.js';
import type { ChatSocket, RegisterHandlers } from './server.js';
import { withAck } from './with-ack.js';

/** `message:send`: validate, hand to the domain, ack with the stored message or a catalogued error. */
export function createMessageHandlers(
  deps: SendMessageDeps & { logger: Logger; maxPendingSends: number },
): RegisterHandlers {
  /** Sends still waiting for their ack, per socket. Only sockets with some are here: idle ones cost nothing. */
  const awaitingAck = new Map<ChatSocket, number>();
  const onSend = withAck('message:send', messageSendSchema, deps.logger, async (socket, payload) => {
    const inFlight = awaitingAck.get(socket) ?? 0;
    if (inFlight >= deps.maxPendingSends) {
      throw new AppError('tooManyPendingSends');
    }
    awaitingAck.set(socket, inFlight + 1);
    try {
      return { message: await sendMessage(deps, socket.data.userId, payload) };
    } finally {
      const stillWaiting = (awaitingAck.get(socket) ?? 1) - 1;
      if (stillWaiting > 0) awaitingAck.set(socket, stillWaiting);
      else awaitingAck.delete(socket);
    }
  });
  return (socket) => {
    socket.on('message:send', onSend);
  };
}
