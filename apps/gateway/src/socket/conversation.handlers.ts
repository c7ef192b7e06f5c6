import { conversationReadSchema } from '@chat/contracts';
import type { Logger } from '@chat/runtime';
import { type MarkReadDeps, markConversationRead } from '../reads/mark-read.js';
import type { RegisterHandlers } from './server.js';
import { withAck } from './with-ack.js';

/** `conversation:read`: "I opened this chat now"; acked once the marker is stored. */
export function createConversationHandlers(deps: MarkReadDeps & { logger: Logger }): RegisterHandlers {
  const onRead = withAck(
    'conversation:read',
    conversationReadSchema,
    deps.logger,
    (socket, { otherUserId }) => markConversationRead(deps, socket.data.userId, otherUserId),
  );
  return (socket) => {
    socket.on('conversation:read', onRead);
  };
}
