import {
  type DeliveredReceiptDto,
  type GroupChangePersisted,
  KafkaHeaders,
  type MessageDto,
  type ReadReceiptDto,
  Topics,
  toConversationUpdatedDto,
  toDeliveredReceiptDto,
  toMessageDto,
  toReadReceiptDto,
} from '@chat/contracts';
import type { EventBus } from '@chat/event-bus';
import type { ConversationMembers } from '../groups/conversation-members.js';
import { DeliveredSeqs } from '../messaging/delivered-seqs.js';
import type { PendingReplies } from '../messaging/pending-replies.js';
import { conversationRoom, userRoom } from '../rooms.js';
import type { ChatServer } from '../socket/server.js';

/**
 * Every gateway reads every fact (its own consumer group, new records only): it answers the requests it holds
 * and delivers to the members' sockets connected to it. (Typing has a consumer of its own, so a burst of
 * typing never queues in front of messages: TypingService.) Each fact becomes its client DTO here, once, for
 * both the waiting request and the deliveries.
 */
export function consumeFacts(deps: {
  bus: EventBus;
  io: ChatServer;
  members: ConversationMembers;
  pendingSends: PendingReplies<MessageDto>;
  pendingReads: PendingReplies<ReadReceiptDto>;
  pendingGroupChanges: PendingReplies<GroupChangePersisted>;
  pendingDeliveries: PendingReplies<DeliveredReceiptDto>;
  groupId: string;
}) {
  // About 100 bytes a conversation: the conversations active in the last minutes of a busy gateway.
  const delivered = new DeliveredSeqs(100_000);
  const usersRooms = (userIds: Iterable<string>) => [...new Set(userIds)].map(userRoom);
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
          // A group's members are exactly those the persister stored the message for, so a member removed
          // before it was sent never gets it, and one added before it always does.
          const recipients =
            value.recipientId === null ? value.memberIds : [value.senderId, value.recipientId];
          const local = usersRooms(recipients).filter((room) => localRooms.has(room));
          // Every gateway reads every fact; most concern no request and no socket of this one.
          if (local.length === 0 && !(correlationId && deps.pendingSends.has(correlationId))) continue;
          const message = toMessageDto(value);
          if (correlationId) deps.pendingSends.settle(correlationId, message);
          if (local.length === 0 || !delivered.firstDelivery(message.conversationId, message.seq)) continue;
          if (value.recipientId === null) {
            deps.io.to(local).emit('message:new', message);
            continue;
          }
          const room = conversationRoom(message.conversationId);
          // Join the participants' local sockets to the conversation's room, then emit to the room.
          deps.io.in(local).socketsJoin(room);
          deps.io.to(room).emit('message:new', message);
        }
      },
      [Topics.conversationReadPersisted]: async (events) => {
        for (const { value, headers } of events) {
          const receipt = toReadReceiptDto(value);
          const correlationId = headers[KafkaHeaders.correlationId];
          if (correlationId) deps.pendingReads.settle(correlationId, receipt);
          const told = [
            ...value.memberIds,
            value.readerId,
            ...(value.otherUserId ? [value.otherUserId] : []),
          ];
          deps.io.to(usersRooms(told)).emit('conversation:read', receipt);
        }
      },
      [Topics.groupChangePersisted]: async (events) => {
        for (const { value, headers } of events) {
          const correlationId = headers[KafkaHeaders.correlationId];
          if (correlationId) deps.pendingGroupChanges.settle(correlationId, value);
          // A refusal, or a change that changed nothing (a repeated removal, an add of members already in),
          // concerns only its requester: nobody else is told, and the membership view stays as it is.
          if (value.refusal !== null || (value.action !== 'create' && value.userIds.length === 0)) continue;
          const participantIds = value.participants.map((participant) => participant.userId);
          deps.members.update(value.conversationId, participantIds);
          const removed = value.action === 'remove' ? value.userIds : [];
          deps.io
            .to(usersRooms([...participantIds, ...removed]))
            .emit('conversation:updated', toConversationUpdatedDto(value));
        }
      },
      [Topics.messageDeliveredPersisted]: async (events) => {
        for (const { value, headers } of events) {
          const receipt = toDeliveredReceiptDto(value);
          const correlationId = headers[KafkaHeaders.correlationId];
          if (correlationId) deps.pendingDeliveries.settle(correlationId, receipt);
          deps.io.to(usersRooms(value.memberIds)).emit('conversation:delivered', receipt);
        }
      },
    },
  });
}
