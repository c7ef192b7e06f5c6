import {
  type DeliveredReceiptDto,
  type MessageDeliveredPayload,
  Topics,
  toDeliveredReceiptDto,
} from '@chat/contracts';
import type { ConversationMembers } from '../conversations/conversation-members.js';
import type { CommandRequests } from '../kafka/command-requests.js';
import type { MarkerWrites } from './marker-writes.js';

export interface MarkDeliveredDeps {
  members: ConversationMembers;
  requests: CommandRequests;
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
  const receipt = await deps.deliveredMarkers.submit(userId, conversationId, payload.seq, async (seq) =>
    toDeliveredReceiptDto(
      await deps.requests.request(Topics.messageDelivered, { conversationId, userId, seq }),
    ),
  );
  return { conversationId: receipt.conversationId, lastDeliveredSeq: receipt.seq };
}
