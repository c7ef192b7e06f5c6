import {
  type DeliveredReceiptDto,
  KafkaHeaders,
  type MessageDeliveredPayload,
  Topics,
} from '@chat/contracts';
import type { EventBus } from '@chat/event-bus';
import type { ConversationMembers } from '../groups/conversation-members.js';
import type { PendingReplies } from '../messaging/pending-replies.js';
import type { MarkerWrites } from './marker-writes.js';

export interface MarkDeliveredDeps {
  bus: EventBus;
  members: ConversationMembers;
  pendingDeliveries: PendingReplies<DeliveredReceiptDto>;
  deliveredMarkers: MarkerWrites<DeliveredReceiptDto>;
}

/**
 * "This device received the messages up to seq": resolves with the member's stored marker (coalesced with the
 * member's other devices' markers, as reads are: MarkerWrites).
 */
export async function markDelivered(
  deps: MarkDeliveredDeps,
  userId: string,
  payload: MessageDeliveredPayload,
): Promise<{ conversationId: string; lastDeliveredSeq: number }> {
  await deps.members.require(payload.conversationId, userId);
  const { conversationId } = payload;
  const receipt = await deps.deliveredMarkers.submit(userId, conversationId, payload.seq, (seq) =>
    deps.pendingDeliveries.request((correlationId) =>
      deps.bus.publish(Topics.messageDelivered, [
        {
          key: conversationId,
          headers: { [KafkaHeaders.correlationId]: correlationId },
          value: { conversationId, userId, seq },
        },
      ]),
    ),
  );
  return { conversationId: receipt.conversationId, lastDeliveredSeq: receipt.seq };
}
