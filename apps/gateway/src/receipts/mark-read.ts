import { type ConversationReadPayload, type ReadReceiptDto, Topics, toReadReceiptDto } from '@chat/contracts';
import { type ChatModels, oneToOneConversationExists, oneToOneConversationId } from '@chat/storage';
import type { ConversationMembers } from '../conversations/conversation-members.js';
import { AppError, assertOtherUser } from '../errors.js';
import type { CommandRequests } from '../kafka/command-requests.js';
import type { MarkerWrites } from './marker-writes.js';

export interface MarkReadDeps {
  models: ChatModels;
  members: ConversationMembers;
  requests: CommandRequests;
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
  const receipt = await deps.readMarkers.submit(readerId, conversationId, readAt, async (marker) =>
    toReadReceiptDto(
      await deps.requests.request(Topics.conversationRead, { conversationId, readerId, readAt: marker }),
    ),
  );
  return { conversationId, lastReadAt: receipt.lastReadAt };
}
