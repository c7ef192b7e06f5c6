import {
  type DeliveredReceiptDto,
  KafkaHeaders,
  type MessageDeliveredPayload,
  Topics,
} from '@chat/contracts';
import type { EventBus } from '@chat/event-bus';
import type { ConversationMembers } from '../groups/conversation-members.js';
import type { PendingReplies } from '../messaging/pending-replies.js';

export interface MarkDeliveredDeps {
  bus: EventBus;
  members: ConversationMembers;
  pendingDeliveries: PendingReplies<DeliveredReceiptDto>;
}

/** "This device received the messages up to seq": resolves with the member's stored marker. */
export async function markDelivered(
  deps: MarkDeliveredDeps,
  userId: string,
  payload: MessageDeliveredPayload,
): Promise<{ conversationId: string; lastDeliveredSeq: number }> {
  await deps.members.require(payload.conversationId, userId);
  const receipt = await deps.pendingDeliveries.request((correlationId) =>
    deps.bus.publish(Topics.messageDelivered, [
      {
        key: payload.conversationId,
        headers: { [KafkaHeaders.correlationId]: correlationId },
        value: { conversationId: payload.conversationId, userId, seq: payload.seq },
      },
    ]),
  );
  return { conversationId: receipt.conversationId, lastDeliveredSeq: receipt.seq };
}
