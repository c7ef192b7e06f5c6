import { Headers, Topics } from '@chat/contracts';
import type { EventBus } from '@chat/event-bus';
import type { Logger } from '@chat/runtime';
import { toMessageDto } from '@chat/storage';
import type { PendingSends } from '../messaging/pending-sends.js';
import { conversationRoom, userRoom } from '../rooms.js';
import type { ChatServer } from '../socket/server.js';

/**
 * Every gateway reads every message.persisted (its own consumer group, new records only): it acks the sends
 * it holds and delivers to the participants' sockets connected to it.
 */
export function messagePersistedConsumer(deps: {
  bus: EventBus;
  io: ChatServer;
  pending: PendingSends;
  logger: Logger;
  groupId: string;
}) {
  return deps.bus.subscribe({
    topic: Topics.messagePersisted,
    groupId: deps.groupId,
    fromBeginning: false,
    handleBatch: async (events) => {
      for (const { value: message, headers } of events) {
        const correlationId = headers[Headers.correlationId];
        if (correlationId) deps.pending.settle(correlationId, message);
        const room = conversationRoom(message.conversationId);
        // Rooms are local to this process: join the participants' local sockets, then emit to the room.
        deps.io.in([userRoom(message.senderId), userRoom(message.recipientId)]).socketsJoin(room);
        deps.io
          .to(room)
          .emit('message:new', toMessageDto({ ...message, createdAt: new Date(message.createdAt) }));
      }
    },
  });
}
