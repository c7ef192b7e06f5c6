import { conversationReadSchema } from '@chat/contracts';
import type { Logger } from '@chat/runtime';
import { type MarkReadDeps, markConversationRead } from '../reads/mark-read.js';
import type { ChatSocket } from './server.js';
import { withAck } from './with-ack.js';

/** `conversation:read`: "I opened this chat now"; acked once the marker is stored. */
export function registerConversationHandlers(socket: ChatSocket, deps: MarkReadDeps & { logger: Logger }) {
  socket.on(
    'conversation:read',
    withAck('conversation:read', conversationReadSchema, deps.logger, ({ otherUserId }) =>
      markConversationRead(deps, socket.data.userId, otherUserId),
    ),
  );
}
