import { type Ack, type MessageDto, messageSendSchema } from '@chat/contracts';
import type { Logger } from '@chat/runtime';
import { AppError, toErrorBody } from '../errors.js';
import { type SendMessageDeps, sendMessage } from '../messaging/send-message.js';
import type { ChatSocket } from './server.js';

type SendAck = (response: Ack<{ message: MessageDto }>) => void;

/** `message:send`: validate, hand to the domain, ack with the stored message or a catalogued error. */
export function registerMessageHandlers(
  socket: ChatSocket,
  deps: SendMessageDeps & { logger: Logger; maxPendingSends: number },
) {
  let inFlight = 0;
  socket.on('message:send', async (payload: unknown, ack: unknown) => {
    if (typeof ack !== 'function') {
      deps.logger.debug({ userId: socket.data.userId }, 'message:send without ack callback ignored');
      return;
    }
    const reply = ack as SendAck;
    try {
      const parsed = messageSendSchema.safeParse(payload);
      if (!parsed.success) throw AppError.validation(parsed.error);
      if (inFlight >= deps.maxPendingSends) {
        throw new AppError('RATE_LIMITED', 'Too many messages are waiting for their ack on this connection.');
      }
      inFlight += 1;
      try {
        reply({ ok: true, message: await sendMessage(deps, socket.data.userId, parsed.data) });
      } finally {
        inFlight -= 1;
      }
    } catch (error) {
      if (!(error instanceof AppError)) deps.logger.error({ err: error }, 'message:send failed');
      reply({ ok: false, error: toErrorBody(error) });
    }
  });
}
