import type { mongo } from 'mongoose';
import { participantsAtRemoval } from './former-members.js';
import { oneToOneConversationId } from './ids.js';
import { findHidden, type MemberMessages } from './message-reads.js';
import type { ChatModels, ConversationDoc, MessageDoc } from './models.js';
import { activeMute } from './mutes.js';
import { countUnread } from './unread.js';

/** The user's own mute as it applies now. */
function muteOf(conversation: ConversationDoc, userId: string) {
  return activeMute(
    conversation.participants.find((participant) => participant.userId === userId),
    Date.now(),
  );
}

/** The other participants' messages newer than the caller's read marker, but for those deleted for everyone. */
async function unreadCount(
  models: ChatModels,
  conversation: ConversationDoc,
  userId: string,
  untilSeq: number | undefined,
): Promise<number> {
  // A former member is no longer kept up to date: nothing counts as unread for them.
  if (untilSeq !== undefined) return 0;
  const me = conversation.participants.find((participant) => participant.userId === userId);
  return countUnread(models, conversation._id, userId, me?.lastReadAt);
}

/** A conversation as one user sees it: the stored document, its latest message for them, and their unread count. */
export interface ConversationView {
  conversation: ConversationDoc;
  lastMessage: MessageDoc | null;
  unreadCount: number;
  /** The user's own mute as it applies now (a mute that has ended is none). */
  mute: { until: Date | null } | null;
}

/** What `userId` sees of a conversation: everything as a member; as a former member, nothing after `untilSeq`. */
async function viewOf(
  models: ChatModels,
  conversation: ConversationDoc,
  userId: string,
  untilSeq?: number,
): Promise<ConversationView> {
  // The stored message, not the conversation's copy of it: edits, reactions and the change log live there.
  const last = conversation.lastMessage;
  const seq = Math.min(last?.seq ?? 0, untilSeq ?? Number.POSITIVE_INFINITY);
  const [lastMessage, unread] = await Promise.all([
    last ? models.messages.findOne({ conversationId: conversation._id, seq }) : null,
    unreadCount(models, conversation, userId, untilSeq),
  ]);
  return { conversation, lastMessage, unreadCount: unread, mute: muteOf(conversation, userId) };
}

/** Each conversation's latest message as stored, in one read (the inbox's page of conversations). */
async function latestMessages(models: ChatModels, conversations: ConversationDoc[]) {
  const ids = conversations.flatMap((conversation) => conversation.lastMessage?.id ?? []);
  const messages = ids.length === 0 ? [] : await models.messages.find({ _id: { $in: ids } }).toArray();
  return new Map(messages.map((message) => [message.conversationId, message]));
}

/**
 * How `userId` may see a conversation named by its id: a member sees all of it, a removed member the history up
 * to their removal (`untilSeq`); anyone else is `forbidden`, and an unknown id is `not-found`. (The gateway
 * answers both alike, so nobody learns whether a conversation they never belonged to exists.)
 */
export type ConversationAccess =
  | { conversation: ConversationDoc; untilSeq?: number }
  | 'not-found'
  | 'forbidden';

export async function findConversationAccess(
  models: ChatModels,
  conversationId: string,
  userId: string,
): Promise<ConversationAccess> {
  const conversation = await models.conversations.findOne({ _id: conversationId });
  if (!conversation) return 'not-found';
  if (conversation.participantIds.includes(userId)) return { conversation };
  const removals = (conversation.formerMembers ?? []).filter((former) => former.userId === userId);
  if (removals.length === 0) return 'forbidden';
  return { conversation, untilSeq: Math.max(...removals.map((former) => former.untilSeq ?? 0)) };
}

/**
 * A conversation as `userId` sees it (see findConversationAccess): a former member sees the participants as
 * they were right after their removal, never who joined or what was read since.
 */
export async function findConversationById(
  models: ChatModels,
  access: Exclude<ConversationAccess, string>,
  userId: string,
): Promise<ConversationView> {
  const { conversation, untilSeq } = access;
  if (untilSeq === undefined) return viewOf(models, conversation, userId);
  const participants = await participantsAtRemoval(models, conversation._id, userId);
  return viewOf(models, { ...conversation, participants }, userId, untilSeq);
}

/**
 * A conversation's kind, current members and removed members, for the gateway's membership checks; undefined
 * when unknown.
 */
export async function findConversationMembers(
  models: ChatModels,
  conversationId: string,
): Promise<{ kind: ConversationDoc['kind']; participantIds: string[]; formerIds: string[] } | undefined> {
  const doc = await models.conversations.findOne(
    { _id: conversationId },
    { projection: { kind: 1, participantIds: 1, 'formerMembers.userId': 1 } },
  );
  if (!doc) return undefined;
  const formerIds = [...new Set((doc.formerMembers ?? []).map((former) => former.userId))];
  return { kind: doc.kind, participantIds: doc.participantIds, formerIds };
}

/** The caller's 1-1 conversation with `otherUserId`; undefined before the first message creates it. */
export async function findOneToOneConversation(
  models: ChatModels,
  userId: string,
  otherUserId: string,
): Promise<ConversationView | undefined> {
  const id = oneToOneConversationId(userId, otherUserId);
  const conversation = await models.conversations.findOne({ _id: id });
  return conversation ? viewOf(models, conversation, userId) : undefined;
}

/** Whether the 1-1 conversation of these two users exists (it does once a message was stored). */
export async function oneToOneConversationExists(models: ChatModels, userId: string, otherUserId: string) {
  const id = oneToOneConversationId(userId, otherUserId);
  return (await models.conversations.countDocuments({ _id: id }, { limit: 1 })) > 0;
}

/** Where an inbox page ends: the next page starts after this conversation. */
export interface InboxCursor {
  /** Epoch milliseconds. */
  lastActivityAt: number;
  id: string;
}

/**
 * The caller's conversations, most recent activity first, `limit` at a time. `updatedSince` keeps only those
 * changed (message or read marker) after that time: what a client that was away needs to refresh. `next` is
 * where the next page starts (null on the last page); the gateway hands it to clients signed, as `nextCursor`.
 */
export async function findInboxPage(
  models: ChatModels,
  userId: string,
  page: { cursor?: InboxCursor | undefined; limit: number; updatedSince?: Date | undefined },
): Promise<{ conversations: ConversationView[]; next: InboxCursor | null }> {
  const filter: mongo.Filter<ConversationDoc> = { participantIds: userId };
  if (page.updatedSince) filter.updatedAt = { $gt: page.updatedSince };
  if (page.cursor) {
    const at = new Date(page.cursor.lastActivityAt);
    filter.$or = [{ lastActivityAt: { $lt: at } }, { lastActivityAt: at, _id: { $lt: page.cursor.id } }];
  }
  const docs = await models.conversations
    .find(filter, { sort: { lastActivityAt: -1, _id: -1 }, limit: page.limit + 1 })
    .toArray();
  const shown = docs.slice(0, page.limit);
  const [latest, unread] = await Promise.all([
    latestMessages(models, shown),
    Promise.all(shown.map((doc) => unreadCount(models, doc, userId, undefined))),
  ]);
  const conversations = shown.map((conversation, index) => ({
    conversation,
    lastMessage: latest.get(conversation._id) ?? null,
    unreadCount: unread[index] ?? 0,
    mute: muteOf(conversation, userId),
  }));
  const last = docs[page.limit - 1];
  return {
    conversations,
    next:
      docs.length > page.limit && last
        ? { lastActivityAt: last.lastActivityAt.getTime(), id: last._id }
        : null,
  };
}

/**
 * One page of messages as the reader sees them (those they deleted for themselves among `hidden`), and the seq
 * the next one starts after (null on the last page).
 */
export interface MessagePage extends MemberMessages {
  next: number | null;
}

interface PageRequest {
  from?: number | undefined;
  after?: number | undefined;
  limit: number;
}

/**
 * One page of a 1-1 conversation's messages: newest first, older than `from` (a seq) when given; or, with
 * `after`, oldest first and newer than it (catch-up after a reconnect).
 * Only participants can read: the conversation id is derived from the caller's own id.
 */
export async function findMessagePage(
  models: ChatModels,
  userId: string,
  otherUserId: string,
  page: PageRequest,
): Promise<MessagePage> {
  return findConversationMessagePage(models, oneToOneConversationId(userId, otherUserId), userId, page);
}

/**
 * One page of any conversation's messages as `userId` sees them, as findMessagePage; for a former member,
 * nothing after `untilSeq`. The caller checked access (findConversationAccess).
 */
export async function findConversationMessagePage(
  models: ChatModels,
  conversationId: string,
  userId: string,
  page: PageRequest,
  untilSeq?: number,
): Promise<MessagePage> {
  const forward = page.after !== undefined;
  const seq: mongo.FilterOperators<number> = {};
  if (page.from !== undefined) seq.$lt = page.from;
  if (forward) seq.$gt = page.after;
  if (untilSeq !== undefined) seq.$lte = untilSeq;
  const filter: mongo.Filter<MessageDoc> = { conversationId };
  if (Object.keys(seq).length > 0) filter.seq = seq;
  // One extra document tells whether another page exists.
  const docs = await models.messages
    .find(filter, { sort: { seq: forward ? 1 : -1 }, limit: page.limit + 1 })
    .toArray();
  const messages = docs.slice(0, page.limit);
  const lastOfPage = messages.at(-1);
  return {
    messages,
    hidden: await findHidden(
      models,
      conversationId,
      userId,
      messages.map((message) => message._id),
    ),
    next: docs.length > page.limit && lastOfPage ? lastOfPage.seq : null,
  };
}
