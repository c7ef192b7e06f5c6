import { type ConversationReadPersisted, KafkaHeaders, type MessagePersisted, Topics } from '@chat/contracts';
import type { EventBus } from '@chat/event-bus';
import { toMessageDto } from '@chat/storage';
import type { PendingReplies } from '../messaging/pending-replies.js';
import { conversationRoom, userRoom } from '../rooms.js';
import type { ChatServer } from '../socket/server.js';

/**
 * Every gateway reads every fact (its own consumer group, new records only): it answers the requests it holds
 * and delivers to the participants' sockets connected to it.
 */
export function consumeFacts(deps: {
  bus: EventBus;
  io: ChatServer;
  pendingSends: PendingReplies<MessagePersisted>;
  pendingReads: PendingReplies<ConversationReadPersisted>;
  groupId: string;
}) {
  return deps.bus.subscribe({
    groupId: deps.groupId,
    fromBeginning: false,
    commitOffsets: false,
    handlers: {
      [Topics.messagePersisted]: async (events) => {
        for (const { value: message, headers } of events) {
          const correlationId = headers[KafkaHeaders.correlationId];
          if (correlationId) deps.pendingSends.settle(correlationId, message);
          const room = conversationRoom(message.conversationId);
          // Rooms are local to this process: join the participants' local sockets, then emit to the room.
          deps.io.in([userRoom(message.senderId), userRoom(message.recipientId)]).socketsJoin(room);
          deps.io
            .to(room)
            .emit('message:new', toMessageDto({ ...message, createdAt: new Date(message.createdAt) }));
        }
      },
      [Topics.conversationReadPersisted]: async (events) => {
        for (const { value: receipt, headers } of events) {
          const correlationId = headers[KafkaHeaders.correlationId];
          if (correlationId) deps.pendingReads.settle(correlationId, receipt);
          deps.io.to([userRoom(receipt.otherUserId), userRoom(receipt.readerId)]).emit('conversation:read', {
            conversationId: receipt.conversationId,
            userId: receipt.readerId,
            lastReadAt: new Date(receipt.lastReadAt).toISOString(),
          });
        }
      },
    },
  });
}
