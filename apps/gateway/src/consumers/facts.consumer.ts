import {
  KafkaHeaders,
  type MessageDto,
  type ReadReceiptDto,
  Topics,
  toMessageDto,
  toReadReceiptDto,
} from '@chat/contracts';
import type { EventBus } from '@chat/event-bus';
import { DeliveredSeqs } from '../messaging/delivered-seqs.js';
import type { PendingReplies } from '../messaging/pending-replies.js';
import { conversationRoom, userRoom } from '../rooms.js';
import type { ChatServer } from '../socket/server.js';

/**
 * Every gateway reads every fact (its own consumer group, new records only): it answers the requests it holds
 * and delivers to the participants' sockets connected to it. Each fact becomes its client DTO here, once, for
 * both the waiting request and the deliveries.
 */
export function consumeFacts(deps: {
  bus: EventBus;
  io: ChatServer;
  pendingSends: PendingReplies<MessageDto>;
  pendingReads: PendingReplies<ReadReceiptDto>;
  groupId: string;
}) {
  // About 100 bytes a conversation: the conversations active in the last minutes of a busy gateway.
  const delivered = new DeliveredSeqs(100_000);
  return deps.bus.subscribe({
    groupId: deps.groupId,
    fromBeginning: false,
    commitOffsets: false,
    handlers: {
      [Topics.messagePersisted]: async (events) => {
        // Socket.IO rooms are local: a user's room exists here only while one of their sockets is connected here.
        const localRooms = deps.io.sockets.adapter.rooms;
        for (const { value, headers } of events) {
          const correlationId = headers[KafkaHeaders.correlationId];
          const participants = [userRoom(value.senderId), userRoom(value.recipientId)].filter((room) =>
            localRooms.has(room),
          );
          // Every gateway reads every fact; most concern no request and no socket of this one.
          if (participants.length === 0 && !(correlationId && deps.pendingSends.has(correlationId))) continue;
          const message = toMessageDto(value);
          if (correlationId) deps.pendingSends.settle(correlationId, message);
          if (participants.length === 0 || !delivered.firstDelivery(message.conversationId, message.seq))
            continue;
          const room = conversationRoom(message.conversationId);
          // Join the participants' local sockets to the conversation's room, then emit to the room.
          deps.io.in(participants).socketsJoin(room);
          deps.io.to(room).emit('message:new', message);
        }
      },
      [Topics.conversationReadPersisted]: async (events) => {
        for (const { value, headers } of events) {
          const receipt = toReadReceiptDto(value);
          const correlationId = headers[KafkaHeaders.correlationId];
          if (correlationId) deps.pendingReads.settle(correlationId, receipt);
          deps.io
            .to([userRoom(value.otherUserId), userRoom(value.readerId)])
            .emit('conversation:read', receipt);
        }
      },
    },
  });
}
