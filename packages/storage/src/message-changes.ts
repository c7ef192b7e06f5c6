import type { MessageChange } from '@chat/contracts';
import { mongo } from 'mongoose';
import { messageHideId } from './ids.js';
import type { ChatModels, ConversationDoc, MessageDoc } from './models.js';
import { type Reaction, withReactions } from './reactions.js';

const DUPLICATE_KEY = 11000;

/** Why a message change was not applied. */
export type MessageChangeRefusal =
  | 'no-such-conversation'
  | 'no-such-message'
  | 'not-a-member'
  | 'not-the-sender'
  | 'edit-window-closed'
  | 'deleted';

/**
 * A message change as applied: the message after it, the replies whose quote of it a deletion for everyone
 * emptied, and the conversation's members (who are told); `hidden` for a deletion for the actor only; or why it
 * was refused. A change applied before (a replay, a retry) yields the message as it is, and changes nothing.
 */
export type MessageChangeResult =
  | { message: MessageDoc; replies: MessageDoc[]; memberIds: string[] }
  | { hidden: true }
  | { refused: MessageChangeRefusal };

/**
 * Applies one edit, deletion or reaction set, and numbers it in the conversation's change log. The caller
 * applies a conversation's changes and messages one at a time (its commands share a partition), so the
 * read-then-write of each message cannot race another writer of the same conversation; the filters on the
 * writes still refuse to overwrite a message that moved since it was read. `editWindowMs` bounds edits, counted
 * from the message's createdAt to now (storage time).
 */
export async function applyMessageChange(
  models: ChatModels,
  command: MessageChange,
  editWindowMs: number,
): Promise<MessageChangeResult> {
  const [conversation, message] = await Promise.all([
    models.conversations.findOne(
      { _id: command.conversationId },
      { projection: { kind: 1, participantIds: 1, participants: 1, 'formerMembers.userId': 1 } },
    ),
    models.messages.findOne({ _id: command.messageId }),
  ]);
  if (!conversation) return { refused: 'no-such-conversation' };
  const actor = conversation.participants.find((participant) => participant.userId === command.actorId);
  if (!actor) {
    const former = (conversation.formerMembers ?? []).some((f) => f.userId === command.actorId);
    return { refused: former ? 'not-a-member' : 'no-such-conversation' };
  }
  if (!message || message.conversationId !== conversation._id) return { refused: 'no-such-message' };
  const unchanged = { message, replies: [], memberIds: conversation.participantIds };
  const requestKey = JSON.stringify([command.actorId, command.requestId]);
  if (message.appliedRequests?.includes(requestKey)) return unchanged;
  const now = new Date();

  if (command.action === 'delete' && command.scope === 'me') {
    return hide(models, command, message, now);
  }
  if (command.action === 'delete') {
    const mayDelete =
      message.senderId === command.actorId || (conversation.kind === 'group' && actor.role === 'admin');
    if (!mayDelete) return { refused: 'not-the-sender' };
    if (message.deletedAt) return unchanged;
    return deleteForEveryone(models, conversation, message, now);
  }
  if (message.deletedAt) return { refused: 'deleted' };

  // Only a message as read may be overwritten; the change is recorded with it, so a replay finds it applied.
  const filter = {
    _id: message._id,
    changeSeq: message.changeSeq,
    deletedAt: null,
    appliedRequests: { $ne: requestKey },
  };
  let update: mongo.UpdateFilter<MessageDoc>;
  if (command.action === 'edit') {
    if (message.senderId !== command.actorId) return { refused: 'not-the-sender' };
    if (now.getTime() - message.createdAt.getTime() > editWindowMs) return { refused: 'edit-window-closed' };
    const version = message.version ?? 1;
    const changeSeq = await nextChangeSeqs(models, conversation._id, 1, now);
    update = {
      $set: { text: command.text ?? '', version: version + 1, editedAt: now, changeSeq },
      $push: {
        versions: { version, text: message.text, editedAt: message.editedAt ?? message.createdAt },
        appliedRequests: requestKey,
      },
    };
  } else {
    const reactions = withReactions(current(message), command.actorId, command.emojis);
    if (JSON.stringify(reactions) === JSON.stringify(current(message))) return unchanged;
    const changeSeq = await nextChangeSeqs(models, conversation._id, 1, now);
    update = { $set: { reactions, changeSeq }, $push: { appliedRequests: requestKey } };
  }
  const after = await models.messages.findOneAndUpdate(filter, update, { returnDocument: 'after' });
  return { ...unchanged, message: after ?? (await models.messages.findOne({ _id: message._id })) ?? message };
}

const current = (message: MessageDoc): Reaction[] => message.reactions ?? [];

/**
 * Takes the next `count` changeSeqs of the conversation and returns the first. A conversation stored before
 * the change log existed numbers on from its last seq (which its messages' changeSeq defaults to).
 */
async function nextChangeSeqs(
  models: ChatModels,
  conversationId: string,
  count: number,
  now: Date,
): Promise<number> {
  const after = await models.conversations.findOneAndUpdate(
    { _id: conversationId },
    [
      {
        $set: {
          lastChangeSeq: { $add: [{ $max: [{ $ifNull: ['$lastChangeSeq', 0] }, '$lastSeq'] }, count] },
          updatedAt: { $max: ['$updatedAt', now] },
        },
      },
    ],
    { returnDocument: 'after', projection: { lastChangeSeq: 1 } },
  );
  if (!after) throw new Error(`conversation ${conversationId} vanished while numbering a change`);
  return (after.lastChangeSeq ?? 0) - count + 1;
}

/** Hides the message from the actor only, with a changeSeq of theirs; hiding it again changes nothing. */
async function hide(
  models: ChatModels,
  command: MessageChange,
  message: MessageDoc,
  now: Date,
): Promise<MessageChangeResult> {
  const _id = messageHideId(message._id, command.actorId);
  if (await models.messageHides.findOne({ _id }, { projection: { _id: 1 } })) return { hidden: true };
  const changeSeq = await nextChangeSeqs(models, message.conversationId, 1, now);
  try {
    await models.messageHides.insertOne({
      _id,
      conversationId: message.conversationId,
      messageId: message._id,
      userId: command.actorId,
      changeSeq,
      hiddenAt: now,
    });
  } catch (error) {
    if (!(error instanceof mongo.MongoServerError && error.code === DUPLICATE_KEY)) throw error;
  }
  return { hidden: true };
}

/**
 * Leaves a tombstone: the text, earlier versions and reactions gone from storage, the seq kept. Every reply's
 * quote of it is emptied too (that text is gone), each reply taking a changeSeq of its own so a client catching
 * up learns of it. Writes land in changeSeq order (the replies, then the message), so a reader of the change log
 * never sees a later change before an earlier one. The replies and the conversation's copy of its latest message
 * are cleared first: a replay after a crash finds the message not yet deleted and does it all again.
 */
async function deleteForEveryone(
  models: ChatModels,
  conversation: ConversationDoc,
  message: MessageDoc,
  now: Date,
): Promise<MessageChangeResult> {
  const replyIds = (
    await models.messages
      .find(
        { conversationId: conversation._id, 'replyTo.id': message._id },
        { projection: { _id: 1 }, sort: { seq: 1 } },
      )
      .toArray()
  ).map((reply) => reply._id);
  const first = await nextChangeSeqs(models, conversation._id, 1 + replyIds.length, now);
  if (replyIds.length > 0) {
    await models.messages.bulkWrite(
      replyIds.map((_id, index) => ({
        updateOne: {
          filter: { _id },
          update: { $set: { 'replyTo.text': '', changeSeq: first + index } },
        },
      })),
      { ordered: true },
    );
  }
  await models.conversations.updateOne(
    { _id: conversation._id, 'lastMessage.id': message._id },
    { $set: { 'lastMessage.text': '' } },
  );
  const after = await models.messages.findOneAndUpdate(
    { _id: message._id, deletedAt: null },
    {
      $set: { text: '', deletedAt: now, changeSeq: first + replyIds.length, reactions: [] },
      $unset: { versions: '' },
    },
    { returnDocument: 'after' },
  );
  const replies =
    replyIds.length === 0
      ? []
      : await models.messages.find({ _id: { $in: replyIds } }, { sort: { seq: 1 } }).toArray();
  return {
    message: after ?? (await models.messages.findOne({ _id: message._id })) ?? message,
    replies,
    memberIds: conversation.participantIds,
  };
}
