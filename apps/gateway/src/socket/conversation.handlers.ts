import type { Logger } from '@chat/runtime';
import { type MarkDeliveredDeps, markDelivered } from '../receipts/mark-delivered.js';
import { type MarkReadDeps, markConversationRead } from '../receipts/mark-read.js';
import type { ClientHandlers } from './server.js';
import { withAck } from './with-ack.js';

/** `conversation:read` ("I opened this chat now") and `message:delivered`; each acked once its marker is stored. */
export function createConversationHandlers(
  deps: MarkReadDeps & MarkDeliveredDeps & { logger: Logger },
): Pick<ClientHandlers, 'conversation:read' | 'message:delivered'> {
  return {
    'conversation:read': withAck('conversation:read', deps.logger, (socket, payload) =>
      markConversationRead(deps, socket.data.userId, payload),
    ),
    'message:delivered': withAck('message:delivered', deps.logger, (socket, payload) =>
      markDelivered(deps, socket.data.userId, payload),
    ),
  };
}
