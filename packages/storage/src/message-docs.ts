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
    version: doc.version ?? 1,
    editedAt: doc.editedAt ? doc.editedAt.getTime() : null,
    deletedAt: doc.deletedAt ? doc.deletedAt.getTime() : null,
    reactions: doc.reactions ?? [],
    replyTo: doc.replyTo ?? null,
    // Messages stored before the change log existed count as changed when they were sent.
    changeSeq: doc.changeSeq || doc.seq,
  };
}
