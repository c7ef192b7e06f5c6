import { type ConversationReadPayload, KafkaHeaders, type ReadReceiptDto, Topics } from '@chat/contracts';
import type { EventBus } from '@chat/event-bus';
import { type ChatModels, oneToOneConversationExists, oneToOneConversationId } from '@chat/storage';
import { AppError, assertOtherUser } from '../errors.js';
import type { ConversationMembers } from '../groups/conversation-members.js';
import type { PendingReplies } from '../messaging/pending-replies.js';
import type { MarkerWrites } from './marker-writes.js';

export interface MarkReadDeps {
  bus: EventBus;
  models: ChatModels;
  members: ConversationMembers;
  pendingReads: PendingReplies<ReadReceiptDto>;
  readMarkers: MarkerWrites<ReadReceiptDto>;
}

/** The conversation read: named by its id (a member's), or a 1-1 conversation by the other user. */
async function conversationOf(
  deps: MarkReadDeps,
  readerId: string,
  payload: ConversationReadPayload,
): Promise<string> {
  if (payload.conversationId !== undefined) {
    await deps.members.require(payload.conversationId, readerId);
    return payload.conversationId;
  }
  const otherUserId = payload.otherUserId ?? '';
  assertOtherUser(readerId, otherUserId);
  if (!(await oneToOneConversationExists(deps.models, readerId, otherUserId))) {
    throw new AppError('noConversationYet');
  }
  return oneToOneConversationId(readerId, otherUserId);
}

/**
 * "The reader opened this chat now" (or at `readAt`, if earlier): resolves with the stored marker, which may be
 * a later read of the same reader coalesced with this one (MarkerWrites).
 */
export async function markConversationRead(
  deps: MarkReadDeps,
  readerId: string,
  payload: ConversationReadPayload,
): Promise<{ conversationId: string; lastReadAt: string }> {
  const conversationId = await conversationOf(deps, readerId, payload);
  const now = Date.now();
  const readAt = payload.readAt === undefined ? now : Math.min(Date.parse(payload.readAt), now);
  const receipt = await deps.readMarkers.submit(readerId, conversationId, readAt, (marker) =>
    deps.pendingReads.request((correlationId) =>
      deps.bus.publish(Topics.conversationRead, [
        {
          key: conversationId,
          headers: { [KafkaHeaders.correlationId]: correlationId },
          value: { conversationId, readerId, readAt: marker },
        },
      ]),
    ),
  );
  return { conversationId, lastReadAt: receipt.lastReadAt };
}
