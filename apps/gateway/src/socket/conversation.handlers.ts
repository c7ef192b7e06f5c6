import type { Logger } from '@chat/runtime';
import { type MarkReadDeps, markConversationRead } from '../reads/mark-read.js';
import type { ClientHandlers } from './server.js';
import { withAck } from './with-ack.js';

/** `conversation:read`: "I opened this chat now"; acked once the marker is stored. */
export function createConversationHandlers(
  deps: MarkReadDeps & { logger: Logger },
): Pick<ClientHandlers, 'conversation:read'> {
  return {
    'conversation:read': withAck('conversation:read', deps.logger, (socket, { otherUserId }) =>
      markConversationRead(deps, socket.data.userId, otherUserId),
    ),
  };
}
