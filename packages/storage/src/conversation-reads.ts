import type { ConversationDto, MessageDto, MessagePageResponse } from '@chat/contracts';
import { oneToOneConversationId } from './ids.js';
import type { ChatModels, ConversationDoc, MessageDoc } from './models.js';

type MessageLike = Pick<
  MessageDoc,
  'conversationId' | 'senderId' | 'recipientId' | 'clientMessageId' | 'text' | 'seq' | 'createdAt'
> & { id: string };

export function toMessageDto(message: MessageLike): MessageDto {
  return {
    id: message.id,
    conversationId: message.conversationId,
    senderId: message.senderId,
    recipientId: message.recipientId,
    clientMessageId: message.clientMessageId,
    text: message.text,
    seq: message.seq,
    createdAt: message.createdAt.toISOString(),
  };
}

async function unreadCount(
  models: ChatModels,
  conversation: ConversationDoc,
  userId: string,
): Promise<number> {
  const me = conversation.participants.find((participant) => participant.userId === userId);
  const filter: Record<string, unknown> = {
    conversationId: conversation._id,
    senderId: { $ne: userId },
  };
  if (me?.lastReadAt) filter.createdAt = { $gt: me.lastReadAt };
  return models.Message.collection.countDocuments(filter);
}

/** The caller's 1-1 conversation with `otherUserId`; before the first message, an empty one (nothing is written). */
export async function findOneToOneConversation(
  models: ChatModels,
  userId: string,
  otherUserId: string,
): Promise<ConversationDto> {
  const id = oneToOneConversationId(userId, otherUserId);
  const conversation = await models.Conversation.collection.findOne<ConversationDoc>({ _id: id } as never);
  if (!conversation) {
    return {
      id,
      participants: [userId, otherUserId]
        .sort()
        .map((participantId) => ({ userId: participantId, lastReadAt: null })),
      lastMessage: null,
      unreadCount: 0,
      createdAt: null,
    };
  }
  return {
    id,
    participants: conversation.participants.map((participant) => ({
      userId: participant.userId,
      lastReadAt: participant.lastReadAt ? participant.lastReadAt.toISOString() : null,
    })),
    lastMessage: conversation.lastMessage
      ? toMessageDto({
          ...(conversation.lastMessage as Omit<MessageLike, 'conversationId'>),
          conversationId: id,
        })
      : null,
    unreadCount: await unreadCount(models, conversation, userId),
    createdAt: conversation.createdAt.toISOString(),
  };
}

/**
 * One page of a 1-1 conversation's messages, newest first, older than `from` (a seq) when given.
 * Only participants can read: the conversation id is derived from the caller's own id.
 */
export async function findMessagePage(
  models: ChatModels,
  userId: string,
  otherUserId: string,
  page: { from?: number | undefined; limit: number },
): Promise<MessagePageResponse> {
  const conversationId = oneToOneConversationId(userId, otherUserId);
  const filter: Record<string, unknown> = { conversationId };
  if (page.from !== undefined) filter.seq = { $lt: page.from };
  // One extra document tells whether an older page exists.
  const docs = await models.Message.collection
    .find<MessageDoc>(filter, { sort: { seq: -1 }, limit: page.limit + 1 })
    .toArray();
  const messages = docs.slice(0, page.limit).map((doc) => toMessageDto({ ...doc, id: doc._id }));
  const oldest = messages.at(-1);
  return { messages, nextCursor: docs.length > page.limit && oldest ? oldest.seq : null };
}
