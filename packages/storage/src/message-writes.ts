import { Limits, type MessagePersisted, type MessageSent, type RepliedIn24hrFirst } from '@chat/contracts';
import type { CodedError } from '@chat/runtime';
import { mongo } from 'mongoose';
import type { ConversationHeads, ConversationState } from './conversation-heads.js';
import { messageId } from './ids.js';
import { toPersisted } from './message-docs.js';
import type { ChatModels, ConversationDoc, MessageDoc } from './models.js';
import { ReplyRewardRule } from './reply-reward-rule.js';

/**
 * Another writer touched this batch's conversations (a zombie persister after a rebalance took a seq we
 * computed, or created a conversation at the same moment); the counters are repaired: retry the batch.
 */
export class WriteConflictError extends Error implements CodedError {
  override readonly name = 'WriteConflictError';
  readonly code = 'WRITE_CONFLICT';
  readonly retriable = true;
}

const DUPLICATE_KEY = 11000;

/**
 * What became of one command: its stored message (a duplicate yields the message stored before), or why it was
 * refused (a group message from a non-member).
 */
export type StoreOutcome<C extends MessageSent> =
  | { command: C; message: MessagePersisted }
  | { command: C; refusal: string };

export interface StoredBatch<C extends MessageSent> {
  /** One outcome per command, in command order, each carrying its command. */
  outcomes: StoreOutcome<C>[];
  /** Reply rewards to publish: decided in this batch, or decided earlier and not yet marked published. */
  rewards: RepliedIn24hrFirst[];
}

function toReward(doc: MessageDoc): RepliedIn24hrFirst | undefined {
  if (!doc.replyReward?.repliedToMessageId) return undefined;
  return {
    eventId: doc._id,
    conversationId: doc.conversationId,
    replierId: doc.senderId,
    repliedToId: doc.recipientId ?? '',
    messageId: doc._id,
    repliedToMessageId: doc.replyReward.repliedToMessageId,
    replyDelayMs: doc.replyReward.replyDelayMs ?? 0,
    repliedAt: doc.createdAt.getTime(),
  };
}

/**
 * Stores a batch of send commands. Idempotent: a command whose message already exists (a redelivery or a
 * client's resend) yields the stored one. Three round trips whatever the batch size: the batch's conversations
 * and already stored messages (read together, both by `_id $in`; conversations the persister wrote last come
 * from `heads` instead), one ordered `insertMany`, and one `updateMany` moving every existing conversation
 * forward (beside it, a `bulkWrite` for new conversations and reward windows, when the batch has any): two
 * writes for the database to make durable, not one per conversation. No transaction: a persister killed inside one would leave its locks on the batch's conversations until the
 * server's transaction lifetime (60 s on MongoDB) ends, stalling every batch behind it; instead the next
 * attempt finds what a dead one stored and counts it.
 */
export async function storeMessageBatch<C extends MessageSent>(
  models: ChatModels,
  commands: C[],
  heads?: ConversationHeads,
): Promise<StoredBatch<C>> {
  const conversationIds = [...new Set(commands.map((c) => c.conversationId))];
  try {
    return await storeBatch(models, commands, conversationIds, heads);
  } catch (error) {
    heads?.forget(conversationIds);
    throw error;
  }
}

async function storeBatch<C extends MessageSent>(
  models: ChatModels,
  commands: C[],
  conversationIds: string[],
  heads: ConversationHeads | undefined,
): Promise<StoredBatch<C>> {
  const ids = commands.map((command) =>
    messageId(command.conversationId, command.senderId, command.clientMessageId),
  );
  const quotedIds = [...new Set(commands.flatMap((command) => command.replyToId ?? []))];
  const [states, existing, quoted] = await Promise.all([
    readConversationStates(models, conversationIds, heads),
    models.messages
      .find({ _id: { $in: [...new Set(ids)] } })
      .sort({ seq: 1 })
      .toArray(),
    quotedIds.length === 0
      ? []
      : models.messages
          .find(
            { _id: { $in: quotedIds } },
            { projection: { conversationId: 1, seq: 1, senderId: 1, text: 1 } },
          )
          .toArray(),
  ]);
  const quotes = new Map(quoted.map((doc) => [doc._id, doc]));
  const lastSeqs = new Map([...states].map(([id, state]) => [id, state.lastSeq]));
  // Conversations stored before the change log existed number their changes on from their last seq.
  const lastChangeSeqs = new Map(
    [...states].map(([id, state]) => [id, state.lastChangeSeq || state.lastSeq]),
  );
  const nextChangeSeq = (conversationId: string) => {
    const changeSeq = (lastChangeSeqs.get(conversationId) ?? 0) + 1;
    lastChangeSeqs.set(conversationId, changeSeq);
    return changeSeq;
  };
  const membersOf = (conversationId: string, doc: MessageDoc) =>
    states.get(conversationId)?.participantIds ?? [doc.senderId, doc.recipientId ?? ''].sort();
  const refused = new Map<number, string>();
  const rules = new Map(conversationIds.map((id) => [id, new ReplyRewardRule(states.get(id))]));
  const rule = (conversationId: string) => rules.get(conversationId) as ReplyRewardRule;
  const stored = new Map<string, MessageDoc>(existing.map((doc) => [doc._id, doc]));
  /** Messages that move a conversation forward in this call: new ones, and stored ones not yet counted. */
  const advanced: MessageDoc[] = [];

  // Stored by an earlier attempt that died between the insert and the conversation update: they are the
  // conversation's latest now, and count before this batch's new messages (they are older).
  for (const doc of existing) {
    if (doc.seq <= (lastSeqs.get(doc.conversationId) ?? 0)) continue;
    rule(doc.conversationId).next(doc, false);
    lastSeqs.set(doc.conversationId, doc.seq);
    lastChangeSeqs.set(
      doc.conversationId,
      Math.max(lastChangeSeqs.get(doc.conversationId) ?? 0, doc.changeSeq ?? 0),
    );
    advanced.push(doc);
  }

  // The persister's clock, not the gateway's: createdAt then follows storage (seq) order.
  const createdAt = new Date();
  const fresh: MessageDoc[] = [];
  commands.forEach((command, index) => {
    const id = ids[index] as string;
    if (stored.has(id)) return;
    const quote = command.replyToId === null ? undefined : quotes.get(command.replyToId);
    const reason =
      groupRefusal(command, states.get(command.conversationId)) ??
      (command.replyToId !== null && quote?.conversationId !== command.conversationId
        ? 'replyToId is not a message of this conversation'
        : undefined);
    if (reason) {
      refused.set(index, reason);
      return;
    }
    const seq = (lastSeqs.get(command.conversationId) ?? 0) + 1;
    lastSeqs.set(command.conversationId, seq);
    const doc: MessageDoc = {
      _id: id,
      conversationId: command.conversationId,
      senderId: command.senderId,
      recipientId: command.recipientId,
      clientMessageId: command.clientMessageId,
      text: command.text,
      seq,
      createdAt,
      version: 1,
      changeSeq: nextChangeSeq(command.conversationId),
      ...(quote
        ? {
            replyTo: {
              id: quote._id,
              seq: quote.seq,
              senderId: quote.senderId,
              text: [...quote.text].slice(0, Limits.replyQuoteMaxLength).join(''),
            },
          }
        : {}),
    };
    rule(command.conversationId).next(doc, true);
    stored.set(id, doc);
    fresh.push(doc);
    advanced.push(doc);
  });

  if (advanced.length > 0) {
    const latest = latestPerConversation(advanced);
    if (fresh.length > 0) await insertFresh(models, fresh);
    const updates = conversationUpdates(latest, states, rules, createdAt);
    await Promise.all([
      updates.moveForward &&
        models.conversations.updateMany(updates.moveForward.filter, updates.moveForward.update),
      updates.others.length > 0 &&
        models.conversations.bulkWrite(updates.others, { ordered: false }).catch((error: unknown) => {
          if (!isOnlyDuplicateKeys(error)) throw error;
          // Created by another writer between our read and our upsert: ours did not apply; read it again.
          throw new WriteConflictError('a conversation of this batch was created concurrently');
        }),
    ]);
    for (const head of newHeads(latest, states, rules)) heads?.remember(head);
  }

  const results = ids.flatMap((id, index) => (refused.has(index) ? [] : [stored.get(id) as MessageDoc]));
  return {
    outcomes: commands.map((command, index) => {
      const refusal = refused.get(index);
      if (refusal) return { command, refusal };
      const doc = stored.get(ids[index] as string) as MessageDoc;
      return { command, message: toPersisted(doc, membersOf(doc.conversationId, doc)) };
    }),
    rewards: [...new Set(results)]
      .filter((doc) => doc.replyReward?.repliedToMessageId && !doc.replyReward.publishedAt)
      .map((doc) => toReward(doc) as RepliedIn24hrFirst),
  };
}

/**
 * Why a group message cannot be stored: the group does not exist or the sender is not (or no longer) one of its
 * members. Read from the database in this batch (group heads are never remembered), so a removal stored before
 * the message was sent always counts.
 */
function groupRefusal(command: MessageSent, state: ConversationState | undefined): string | undefined {
  if (command.recipientId) return undefined;
  if (state?.kind !== 'group') return 'no such group';
  if (!state.participantIds?.includes(command.senderId)) return 'sender is not a member of the group';
  return undefined;
}

/**
 * The batch's conversations: from `heads` where this persister wrote them last, the rest in one `$in` read.
 * Groups are always read: their membership may have been changed by another persister since.
 */
async function readConversationStates(
  models: ChatModels,
  conversationIds: string[],
  heads: ConversationHeads | undefined,
): Promise<Map<string, ConversationState>> {
  const states = new Map<string, ConversationState>();
  const misses: string[] = [];
  for (const id of conversationIds) {
    const head = heads?.get(id);
    if (head) states.set(id, head);
    else misses.push(id);
  }
  if (misses.length > 0) {
    const docs = await models.conversations
      .find(
        { _id: { $in: misses } },
        {
          projection: {
            kind: 1,
            lastSeq: 1,
            lastChangeSeq: 1,
            lastMessage: 1,
            participants: 1,
            participantIds: 1,
          },
        },
      )
      .toArray();
    for (const doc of docs) states.set(doc._id, doc);
  }
  return states;
}

/**
 * Inserts in seq order; ordered, so a failure leaves a gapless prefix stored. A duplicate key here means
 * another writer took one of our seqs or ids since our read (a zombie persister after a rebalance, or a stale
 * head): the counters are repaired from the messages and the batch is retried by its caller.
 */
async function insertFresh(models: ChatModels, docs: MessageDoc[]): Promise<void> {
  try {
    await models.messages.insertMany(docs, { ordered: true });
  } catch (error) {
    if (!isOnlyDuplicateKeys(error)) throw error;
    await repairLastSeq(models, [...new Set(docs.map((doc) => doc.conversationId))]);
    throw new WriteConflictError('a message or seq of this batch was stored concurrently; counters repaired');
  }
}

/** Records that these rewards' events were published, so a later replay does not publish them again. */
export async function markRewardsPublished(models: ChatModels, messageIds: string[]): Promise<void> {
  if (messageIds.length === 0) return;
  await models.messages.updateMany(
    { _id: { $in: messageIds } },
    { $set: { 'replyReward.publishedAt': new Date() } },
  );
}

function isOnlyDuplicateKeys(error: unknown): boolean {
  if (!(error instanceof mongo.MongoBulkWriteError)) return false;
  const writeErrors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
  return writeErrors.length > 0 && writeErrors.every((writeError) => writeError.code === DUPLICATE_KEY);
}

/** The conversation's latest message as stored in `lastMessage`. */
function lastMessageOf(message: MessageDoc) {
  return {
    seq: message.seq,
    id: message._id,
    senderId: message.senderId,
    recipientId: message.recipientId,
    clientMessageId: message.clientMessageId,
    text: message.text,
    createdAt: message.createdAt,
  };
}

/** The latest advanced message of each conversation, in first-seen order. */
function latestPerConversation(advanced: MessageDoc[]): MessageDoc[] {
  const latest = new Map<string, MessageDoc>();
  for (const doc of advanced) latest.set(doc.conversationId, doc);
  return [...latest.values()];
}

/**
 * The updates that create each conversation on its first message, or move it forward: `lastSeq`, times and reward
 * windows by their maximum, and `lastMessage` only where the stored one has a lower seq (compared on the seq
 * itself, never on the embedded document's field order). So the updates commute with each other and with read
 * markers: a redelivered old batch, or a zombie writer's late update, can never move a conversation backwards,
 * and no writer needs to read-modify-write (or lock) a conversation. Participants are found by user id (array
 * filters), never by position, which a membership change may shift.
 *
 * Every conversation that already exists moves forward in ONE `updateMany` (`moveForward`): each document finds
 * its own values by `_id` in a table carried by the statement. One statement instead of one per conversation:
 * one write to wait for on the server's journal, however many conversations the batch touches. `others` holds
 * the rare rest: a conversation's creation (an upsert), and a reward window this batch opened.
 */
function conversationUpdates(
  latest: MessageDoc[],
  states: Map<string, ConversationState>,
  rules: Map<string, ReplyRewardRule>,
  now: Date,
): {
  moveForward: { filter: mongo.Filter<ConversationDoc>; update: mongo.Document[] } | undefined;
  others: mongo.AnyBulkWriteOperation<ConversationDoc>[];
} {
  const existing = latest.filter((message) => states.has(message.conversationId));
  const others = latest.flatMap((message): mongo.AnyBulkWriteOperation<ConversationDoc>[] => {
    // A group always exists (its messages are refused otherwise); a 1-1 conversation is created here.
    const participantIds = [message.senderId, message.recipientId ?? ''].sort();
    const rule = rules.get(message.conversationId);
    const filter = { _id: message.conversationId };
    if (!states.has(message.conversationId)) {
      const forward = {
        lastSeq: message.seq,
        lastChangeSeq: message.changeSeq,
        lastActivityAt: message.createdAt,
        updatedAt: now,
      };
      const participants = participantIds.map((userId) => ({
        userId,
        lastReadAt: null,
        lastDeliveredSeq: 0,
        lastReplyRewardAt: rule?.rewardWindowStart(userId) ?? null,
      }));
      const onInsert = {
        kind: 'one_to_one' as const,
        participantIds,
        participants,
        lastMessage: lastMessageOf(message),
        createdAt: message.createdAt,
      };
      // Created by another writer since our read: the upsert's duplicate key makes the caller retry the batch.
      return [{ updateOne: { filter, update: { $max: forward, $setOnInsert: onInsert }, upsert: true } }];
    }
    // Reward windows that this batch opened, set on the participants found by user id (rare: the first reply
    // in 24 hours).
    const stored = states.get(message.conversationId)?.participants ?? [];
    const windows: mongo.MatchKeysAndValues<ConversationDoc> = {};
    const arrayFilters: Record<string, string>[] = [];
    for (const userId of participantIds) {
      const windowStart = rule?.rewardWindowStart(userId);
      const before = stored.find((participant) => participant.userId === userId)?.lastReplyRewardAt;
      if (!windowStart || (before && before >= windowStart)) continue;
      const name = `p${arrayFilters.length}`;
      windows[`participants.$[${name}].lastReplyRewardAt`] = windowStart;
      arrayFilters.push({ [`${name}.userId`]: userId });
    }
    if (arrayFilters.length === 0) return [];
    return [{ updateOne: { filter, update: { $max: windows }, arrayFilters } }];
  });
  if (existing.length === 0) return { moveForward: undefined, others };
  const heads = existing.map((message) => ({
    _id: message.conversationId,
    seq: message.seq,
    changeSeq: message.changeSeq,
    activityAt: message.createdAt,
    lastMessage: lastMessageOf(message),
  }));
  return {
    moveForward: {
      filter: { _id: { $in: heads.map((head) => head._id) } },
      // `$literal` keeps a text or id that starts with `$` from being read as a field path; `_head` is this
      // document's row of the table, removed again before the write.
      update: [
        {
          $set: {
            _head: {
              $arrayElemAt: [
                { $filter: { input: { $literal: heads }, cond: { $eq: ['$$this._id', '$_id'] } } },
                0,
              ],
            },
          },
        },
        {
          $set: {
            lastSeq: { $max: ['$lastSeq', '$_head.seq'] },
            lastChangeSeq: { $max: ['$lastChangeSeq', '$_head.changeSeq'] },
            lastActivityAt: { $max: ['$lastActivityAt', '$_head.activityAt'] },
            updatedAt: { $max: ['$updatedAt', now] },
            lastMessage: {
              $cond: [
                { $lt: [{ $ifNull: ['$lastMessage.seq', 0] }, '$_head.seq'] },
                '$_head.lastMessage',
                '$lastMessage',
              ],
            },
          },
        },
        { $unset: '_head' },
      ],
    },
    others,
  };
}

/** What the conversations look like after this batch's updates, for the next batch to start from. */
function newHeads(
  latest: MessageDoc[],
  states: Map<string, ConversationState>,
  rules: Map<string, ReplyRewardRule>,
): ConversationState[] {
  // A group's membership may change on another persister: its head is read again for every batch.
  return latest.flatMap((message) => {
    if (!message.recipientId) return [];
    const rule = rules.get(message.conversationId);
    const participantIds = states.get(message.conversationId)?.participants.map((p) => p.userId) ?? [
      message.senderId,
      message.recipientId,
    ];
    const head: ConversationState = {
      _id: message.conversationId,
      lastSeq: message.seq,
      lastChangeSeq: message.changeSeq,
      // What the reply-reward rule needs of it; the text would only make the head heavier.
      lastMessage: { id: message._id, senderId: message.senderId, createdAt: message.createdAt },
      participants: participantIds.map((userId) => ({
        userId,
        lastReplyRewardAt: rule?.rewardWindowStart(userId) ?? null,
      })),
    };
    return [head];
  });
}

async function repairLastSeq(models: ChatModels, conversationIds: string[]): Promise<void> {
  for (const conversationId of conversationIds) {
    const last = await models.messages.findOne(
      { conversationId },
      { sort: { seq: -1 }, projection: { seq: 1 } },
    );
    if (last) await models.conversations.updateOne({ _id: conversationId }, { $max: { lastSeq: last.seq } });
  }
}
