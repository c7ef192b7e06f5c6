import type { Logger } from '@chat/runtime';
import { type MuteDeps, setMute } from '../conversations/mute.js';
import { type MarkDeliveredDeps, markDelivered } from '../receipts/mark-delivered.js';
import { type MarkReadDeps, markConversationRead } from '../receipts/mark-read.js';
import type { ClientHandlers } from './server.js';
import { withAck } from './with-ack.js';

/**
 * `conversation:read` ("I opened this chat now"), `message:delivered`, `conversation:mute` and
 * `conversation:unmute`; each acked once its marker or mute is stored.
 */
export function createConversationHandlers(
  deps: MarkReadDeps & MarkDeliveredDeps & MuteDeps & { logger: Logger },
): Pick<
  ClientHandlers,
  'conversation:read' | 'message:delivered' | 'conversation:mute' | 'conversation:unmute'
> {
  return {
    'conversation:read': withAck('conversation:read', deps.logger, (socket, payload) =>
      markConversationRead(deps, socket.data.userId, payload),
    ),
    'message:delivered': withAck('message:delivered', deps.logger, (socket, payload) =>
      markDelivered(deps, socket.data.userId, payload),
    ),
    'conversation:mute': withAck('conversation:mute', deps.logger, (socket, payload) =>
      setMute(deps, socket.data.userId, payload),
    ),
    'conversation:unmute': withAck('conversation:unmute', deps.logger, (socket, payload) =>
      setMute(deps, socket.data.userId, payload),
    ),
  };
}
