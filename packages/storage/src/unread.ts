import type { ChatModels } from './models.js';

/** The other participants' messages newer than a member's read marker (`lastReadAt`, null if never read). */
export function countUnread(
  models: ChatModels,
  conversationId: string,
  userId: string,
  lastReadAt: Date | null | undefined,
): Promise<number> {
  return models.messages.countDocuments({
    conversationId,
    senderId: { $ne: userId },
    // A message deleted for everyone no longer counts as unread.
    deletedAt: null,
    ...(lastReadAt ? { createdAt: { $gt: lastReadAt } } : {}),
  });
}
