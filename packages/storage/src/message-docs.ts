import type { MessagePersisted } from '@chat/contracts';
import type { MessageDoc } from './models.js';

/**
 * A stored message document as the `message.persisted` fact (and, through it, the client DTO) carries it, with
 * the members it goes to.
 */
export function toPersisted(doc: MessageDoc, memberIds: string[]): MessagePersisted {
  return {
    id: doc._id,
    conversationId: doc.conversationId,
    senderId: doc.senderId,
    recipientId: doc.recipientId ?? null,
    clientMessageId: doc.clientMessageId,
    text: doc.text,
    seq: doc.seq,
    createdAt: doc.createdAt.getTime(),
    memberIds,
  };
}
