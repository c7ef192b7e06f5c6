import { KafkaHeaders, type ReadReceiptDto, Topics } from '@chat/contracts';
import type { EventBus } from '@chat/event-bus';
import { type ChatModels, oneToOneConversationExists, oneToOneConversationId } from '@chat/storage';
import { AppError, assertOtherUser } from '../errors.js';
import type { PendingReplies } from '../messaging/pending-replies.js';

export interface MarkReadDeps {
  bus: EventBus;
  models: ChatModels;
  pendingReads: PendingReplies<ReadReceiptDto>;
}

/** "The reader opened this chat now": resolves with the stored marker once the persister moved it. */
export async function markConversationRead(
  deps: MarkReadDeps,
  readerId: string,
  otherUserId: string,
): Promise<{ conversationId: string; lastReadAt: string }> {
  assertOtherUser(readerId, otherUserId);
  if (!(await oneToOneConversationExists(deps.models, readerId, otherUserId))) {
    throw new AppError('noConversationYet');
  }
  const conversationId = oneToOneConversationId(readerId, otherUserId);
  const receipt = await deps.pendingReads.request((correlationId) =>
    deps.bus.publish(Topics.conversationRead, [
      {
        key: conversationId,
        headers: { [KafkaHeaders.correlationId]: correlationId },
        value: { conversationId, readerId, readAt: Date.now() },
      },
    ]),
  );
  return { conversationId, lastReadAt: receipt.lastReadAt };
}
