import type { mongo } from 'mongoose';
import type { ChatModels, ConversationDoc, MessageDoc } from './models.js';

/**
 * Messages as one member sees them: each stored message, and the ones they deleted for themselves with the
 * changeSeq that hid them (the edge shows those as stubs).
 */
export interface MemberMessages {
  messages: MessageDoc[];
  hidden: ReadonlyMap<string, number>;
}

/** Which of `messageIds` `userId` deleted for themselves, with the changeSeq of each hide. */
export async function findHidden(
  models: ChatModels,
  conversationId: string,
  userId: string,
  messageIds: string[],
): Promise<Map<string, number>> {
  if (messageIds.length === 0) return new Map();
  const hides = await models.messageHides
    .find(
      { conversationId, userId, messageId: { $in: messageIds } },
      { projection: { messageId: 1, changeSeq: 1 } },
    )
    .toArray();
  return new Map(hides.map((hide) => [hide.messageId, hide.changeSeq]));
}

/** The conversation (a message's) a message belongs to; undefined for an unknown id. */
export async function findMessageConversationId(
  models: ChatModels,
  messageId: string,
): Promise<string | undefined> {
  const message = await models.messages.findOne({ _id: messageId }, { projection: { conversationId: 1 } });
  return message?.conversationId;
}

/** A message of the conversation, or undefined (unknown, or another conversation's). */
export async function findConversationMessage(
  models: ChatModels,
  conversationId: string,
  messageId: string,
): Promise<MessageDoc | undefined> {
  return (await models.messages.findOne({ _id: messageId, conversationId })) ?? undefined;
}

/**
 * One page of the conversation's change log as `userId` sees it: every message whose latest change is after
 * `after`, oldest change first, each once, and `next` (the changeSeq to pass as `after`; null on the last page).
 * A message the member deleted for themselves appears once more, at its hide's changeSeq, and never again: they
 * see a stub, which nothing else changes. Two sorted reads (the messages by changeSeq, the member's hides by
 * theirs), each `limit + 1` long; the page holds what both reads cover, so nothing between two pages is skipped.
 */
export async function findChangePage(
  models: ChatModels,
  conversationId: string,
  userId: string,
  page: { after: number; limit: number },
  untilSeq?: number,
): Promise<MemberMessages & { next: number | null }> {
  const bySeq: mongo.Filter<MessageDoc> = untilSeq === undefined ? {} : { seq: { $lte: untilSeq } };
  const [changed, hides] = await Promise.all([
    models.messages
      .find(
        { conversationId, changeSeq: { $gt: page.after }, ...bySeq },
        { sort: { changeSeq: 1 }, limit: page.limit + 1 },
      )
      .toArray(),
    models.messageHides
      .find(
        { conversationId, userId, changeSeq: { $gt: page.after } },
        { sort: { changeSeq: 1 }, limit: page.limit + 1 },
      )
      .toArray(),
  ]);
  // Where each read stopped short: past that point the other read may be missing entries.
  const covered = Math.min(
    changed.length > page.limit ? (changed.at(-1)?.changeSeq ?? 0) : Number.POSITIVE_INFINITY,
    hides.length > page.limit ? (hides.at(-1)?.changeSeq ?? 0) : Number.POSITIVE_INFINITY,
  );
  const hiddenBefore = await findHidden(
    models,
    conversationId,
    userId,
    changed.map((message) => message._id),
  );
  const hiddenMessages = await models.messages
    .find({ _id: { $in: hides.map((hide) => hide.messageId) }, ...bySeq })
    .toArray();
  const byId = new Map(hiddenMessages.map((message) => [message._id, message]));
  const entries = [
    ...changed
      .filter((message) => !hiddenBefore.has(message._id))
      .map((message) => ({ changeSeq: message.changeSeq, message })),
    ...hides.flatMap((hide) => {
      const message = byId.get(hide.messageId);
      return message ? [{ changeSeq: hide.changeSeq, message }] : [];
    }),
  ]
    .filter((entry) => entry.changeSeq <= covered)
    .sort((a, b) => a.changeSeq - b.changeSeq);
  const taken = entries.slice(0, page.limit);
  const more = entries.length > page.limit || covered !== Number.POSITIVE_INFINITY;
  const last = taken.at(-1)?.changeSeq;
  return {
    messages: taken.map((entry) => entry.message),
    hidden: new Map(hides.map((hide) => [hide.messageId, hide.changeSeq])),
    next: more ? (taken.length === page.limit && last !== undefined ? last : covered) : null,
  };
}

/**
 * "Seen by": the members, other than the sender, who were members when the message was sent (a member added
 * later has a `joinedAt` after it), who read it (lastReadAt at or after its createdAt) and whose devices
 * received it (lastDeliveredSeq at or past its seq; reading counts as receiving).
 */
export function messageReceipts(
  conversation: ConversationDoc,
  message: MessageDoc,
): { readBy: string[]; deliveredTo: string[] } {
  const audience = conversation.participants.filter(
    (participant) =>
      participant.userId !== message.senderId &&
      (!participant.joinedAt || participant.joinedAt <= message.createdAt),
  );
  const read = audience.filter(
    (participant) => participant.lastReadAt && participant.lastReadAt >= message.createdAt,
  );
  const delivered = audience.filter(
    (participant) => read.includes(participant) || (participant.lastDeliveredSeq ?? 0) >= message.seq,
  );
  return {
    readBy: read.map((participant) => participant.userId),
    deliveredTo: delivered.map((participant) => participant.userId),
  };
}

/**
 * Every version of the message's text, oldest first, the current one last; version 1 dated at createdAt. None
 * once it is deleted for everyone.
 */
export function messageVersions(message: MessageDoc): { version: number; text: string; editedAt: Date }[] {
  if (message.deletedAt) return [];
  return [
    ...(message.versions ?? []),
    { version: message.version ?? 1, text: message.text, editedAt: message.editedAt ?? message.createdAt },
  ];
}
