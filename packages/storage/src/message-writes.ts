import type { MessagePersisted, MessageSent, RepliedIn24hrFirst } from '@chat/contracts';
import { mongo } from 'mongoose';
import type { ConversationHeads, ConversationState } from './conversation-heads.js';
import { messageId } from './ids.js';
import type { ChatModels, MessageDoc } from './models.js';

/**
 * Another writer touched this batch's conversations (a zombie persister after a rebalance took a seq we
 * computed, or created a conversation at the same moment); the counters are repaired: retry the batch.
 */
export class WriteConflictError extends Error {
  override readonly name = 'WriteConflictError';
  readonly retriable = true;
}

const DUPLICATE_KEY = 11000;
const REPLY_WINDOW_MS = 24 * 60 * 60 * 1000;

export interface StoredBatch {
  /** The stored message for each command, in command order (a duplicate yields the message stored before). */
  messages: MessagePersisted[];
  /** Reply rewards to publish: decided in this batch, or decided earlier and not yet marked published. */
  rewards: RepliedIn24hrFirst[];
}

function toPersisted(doc: MessageDoc): MessagePersisted {
  return {
    id: doc._id,
    conversationId: doc.conversationId,
    senderId: doc.senderId,
    recipientId: doc.recipientId,
    clientMessageId: doc.clientMessageId,
    text: doc.text,
    seq: doc.seq,
    createdAt: doc.createdAt.getTime(),
  };
}

function toReward(doc: MessageDoc): RepliedIn24hrFirst | undefined {
  if (!doc.replyReward?.repliedToMessageId) return undefined;
  return {
    eventId: doc._id,
    conversationId: doc.conversationId,
    replierId: doc.senderId,
    repliedToId: doc.recipientId,
    messageId: doc._id,
    repliedToMessageId: doc.replyReward.repliedToMessageId,
    replyDelayMs: doc.replyReward.replyDelayMs ?? 0,
    repliedAt: doc.createdAt.getTime(),
  };
}

/**
 * The replied-in-24h rule, applied in seq order. A message from B to A is a rewarded reply when the message
 * before it in the conversation is A's, sent less than 24 h earlier, and B has no reward in this conversation
 * within the last 24 h. The decision is stored on the message, so a replay never decides twice.
 */
class ReplyRewardRule {
  private previous: { id: string; senderId: string; createdAt: number } | undefined;
  private readonly lastRewardAt = new Map<string, number>();

  constructor(conversation: ConversationState | undefined) {
    const last = conversation?.lastMessage;
    if (last?.id && last.senderId && last.createdAt) {
      this.previous = { id: last.id, senderId: last.senderId, createdAt: last.createdAt.getTime() };
    }
    for (const participant of conversation?.participants ?? []) {
      if (participant.lastReplyRewardAt)
        this.lastRewardAt.set(participant.userId, participant.lastReplyRewardAt.getTime());
    }
  }

  /** Decides for a new message (and records it); replays the recorded decision of a stored one. */
  next(doc: MessageDoc, isNew: boolean): void {
    const createdAt = doc.createdAt.getTime();
    if (isNew) {
      const previous = this.previous;
      const rewardedBefore = this.lastRewardAt.get(doc.senderId);
      if (
        previous &&
        previous.senderId === doc.recipientId &&
        createdAt - previous.createdAt < REPLY_WINDOW_MS &&
        (rewardedBefore === undefined || createdAt - rewardedBefore >= REPLY_WINDOW_MS)
      ) {
        doc.replyReward = {
          repliedToMessageId: previous.id,
          replyDelayMs: createdAt - previous.createdAt,
          publishedAt: null,
        };
      }
    }
    if (doc.replyReward?.repliedToMessageId) this.lastRewardAt.set(doc.senderId, createdAt);
    this.previous = { id: doc._id, senderId: doc.senderId, createdAt };
  }

  /** A copy to try decisions on before they are known to be stored. */
  clone(): ReplyRewardRule {
    const copy = Object.create(ReplyRewardRule.prototype) as ReplyRewardRule;
    Object.assign(copy, { previous: this.previous, lastRewardAt: new Map(this.lastRewardAt) });
    return copy;
  }

  rewardWindowStart(userId: string): Date | undefined {
    const at = this.lastRewardAt.get(userId);
    return at === undefined ? undefined : new Date(at);
  }
}

interface PendingCommand {
  command: MessageSent;
  id: string;
}

/**
 * Stores a batch of send commands. Idempotent: a command whose message already exists (a redelivery or a
 * client's resend) yields the stored one. Common case, whatever the batch size: one read of the batch's
 * conversations, one ordered insertMany, one bulkWrite. A message that already exists stops the ordered insert
 * at its place; it is read back by id and the rest is inserted again with the seqs that follow, so seqs never
 * gap. (A lookup of the batch's ids up front cost a full scan per batch on FerretDB.) Uses the models' native
 * collections: Mongoose document casting was the cost on this path.
 */
export async function storeMessageBatch(
  models: ChatModels,
  commands: MessageSent[],
  heads?: ConversationHeads,
): Promise<StoredBatch> {
  const conversationIds = [...new Set(commands.map((c) => c.conversationId))];
  try {
    return await storeBatch(models, commands, conversationIds, heads);
  } catch (error) {
    heads?.forget(conversationIds);
    throw error;
  }
}

async function storeBatch(
  models: ChatModels,
  commands: MessageSent[],
  conversationIds: string[],
  heads: ConversationHeads | undefined,
): Promise<StoredBatch> {
  const messages = models.Message.collection;
  const states = await readConversationStates(models, conversationIds, heads);
  const lastSeqs = new Map([...states].map(([id, state]) => [id, state.lastSeq]));
  const rules = new Map(conversationIds.map((id) => [id, new ReplyRewardRule(states.get(id))]));
  const rule = (conversationId: string) => rules.get(conversationId) as ReplyRewardRule;

  const now = Date.now();
  const stored = new Map<string, MessageDoc>();
  /** Messages that moved a conversation forward in this call (inserted, or stored earlier but not yet counted). */
  const advanced: MessageDoc[] = [];
  const all: PendingCommand[] = commands.map((command) => ({
    command,
    id: messageId(command.conversationId, command.senderId, command.clientMessageId),
  }));
  let pending = all;

  while (pending.length > 0) {
    pending = pending.filter(({ id }) => !stored.has(id));
    if (pending.length === 0) break;
    // Seqs and reward decisions are tried on copies: only what the insert accepts is kept.
    const trialSeqs = new Map(lastSeqs);
    const trialRules = new Map([...rules].map(([id, r]) => [id, r.clone()]));
    const docs = pending.map(({ command, id }) => {
      const seq = (trialSeqs.get(command.conversationId) ?? 0) + 1;
      trialSeqs.set(command.conversationId, seq);
      const doc: MessageDoc = {
        _id: id,
        conversationId: command.conversationId,
        senderId: command.senderId,
        recipientId: command.recipientId,
        clientMessageId: command.clientMessageId,
        text: command.text,
        seq,
        // The persister's clock, not the gateway's: createdAt then follows storage (seq) order.
        createdAt: new Date(now),
      };
      trialRules.get(command.conversationId)?.next(doc, true);
      return doc;
    });

    const failedAt = await insertInOrder(models, docs);
    for (const doc of docs.slice(0, failedAt)) {
      rule(doc.conversationId).next(doc, true);
      lastSeqs.set(doc.conversationId, doc.seq);
      stored.set(doc._id, doc);
      advanced.push(doc);
    }
    if (failedAt === docs.length) break;

    const failed = docs[failedAt] as MessageDoc;
    const existing = await messages.findOne<MessageDoc>({ _id: failed._id } as never);
    if (!existing) {
      // Not our message but our seq: another writer, or a counter left behind by a crash.
      await repairLastSeq(models, [failed.conversationId]);
      throw new WriteConflictError('a seq in this batch was already taken; conversation counters repaired');
    }
    stored.set(existing._id, existing);
    // Stored by an earlier attempt that died before counting it: it is the conversation's latest now.
    if (existing.seq > (lastSeqs.get(existing.conversationId) ?? 0)) {
      rule(existing.conversationId).next(existing, false);
      lastSeqs.set(existing.conversationId, existing.seq);
      advanced.push(existing);
    }
    pending = pending.slice(failedAt + 1);
  }

  if (advanced.length > 0) {
    const latest = latestPerConversation(advanced);
    await models.Conversation.collection
      .bulkWrite(conversationUpdates(latest, states, rules, now), { ordered: false })
      .catch((error: unknown) => {
        if (!isOnlyDuplicateKeys(error)) throw error;
        // Created by another writer between our read and our upsert: ours did not apply; read it again.
        throw new WriteConflictError('a conversation of this batch was created concurrently');
      });
    for (const head of newHeads(latest, states, rules)) heads?.remember(head);
  }

  const results = all.map(({ id }) => stored.get(id) as MessageDoc);
  return {
    messages: results.map(toPersisted),
    rewards: [...new Set(results)]
      .filter((doc) => doc.replyReward?.repliedToMessageId && !doc.replyReward.publishedAt)
      .map((doc) => toReward(doc) as RepliedIn24hrFirst),
  };
}

/**
 * The batch's conversations, one lookup by _id each, in parallel: FerretDB answers an _id equality from its
 * primary key but scans the collection for an _id $in; MongoDB serves both from the _id index.
 */
async function readConversationStates(
  models: ChatModels,
  conversationIds: string[],
  heads: ConversationHeads | undefined,
): Promise<Map<string, ConversationState>> {
  const docs = await Promise.all(
    conversationIds.map(
      (id) =>
        heads?.get(id) ??
        models.Conversation.collection.findOne<ConversationState>({ _id: id } as never, {
          projection: { lastSeq: 1, lastMessage: 1, participants: 1 },
        }),
    ),
  );
  return new Map(docs.filter((doc) => doc !== null).map((doc) => [doc._id, doc]));
}

/** Inserts in order and returns how many went in: all of them, or the index of the first duplicate key. */
async function insertInOrder(models: ChatModels, docs: MessageDoc[]): Promise<number> {
  try {
    await models.Message.collection.insertMany(docs as never[], { ordered: true });
    return docs.length;
  } catch (error) {
    if (!isOnlyDuplicateKeys(error)) throw error;
    const writeErrors = (error as InstanceType<typeof mongo.MongoBulkWriteError>).writeErrors;
    const first = Array.isArray(writeErrors) ? writeErrors[0] : writeErrors;
    return first?.index ?? 0;
  }
}

/** Records that these rewards' events were published, so a later replay does not publish them again. */
export async function markRewardsPublished(models: ChatModels, messageIds: string[]): Promise<void> {
  if (messageIds.length === 0) return;
  await models.Message.collection.updateMany({ _id: { $in: messageIds } } as never, {
    $set: { 'replyReward.publishedAt': new Date() },
  });
}

function isOnlyDuplicateKeys(error: unknown): boolean {
  if (!(error instanceof mongo.MongoBulkWriteError)) return false;
  const writeErrors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
  return writeErrors.length > 0 && writeErrors.every((writeError) => writeError.code === DUPLICATE_KEY);
}

/**
 * The conversation's latest message as stored in `lastMessage`. `seq` comes first on purpose: `$max` compares
 * embedded documents field by field in order, so the higher seq wins whatever the rest holds.
 */
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
 * One update per conversation: create it on its first message, move lastSeq, lastMessage, times and reward
 * windows forward. Every field moves by `$max`, so the updates commute: a redelivered old batch, or a zombie
 * writer's late update, can never move a conversation backwards, and the filter needs nothing but `_id`
 * (FerretDB serves an `_id`-only filter from its primary key and scans for anything more).
 */
function conversationUpdates(
  latest: MessageDoc[],
  states: Map<string, ConversationState>,
  rules: Map<string, ReplyRewardRule>,
  now: number,
) {
  return latest.map((message) => {
    const participantIds = [message.senderId, message.recipientId].sort();
    const rule = rules.get(message.conversationId);
    const exists = states.has(message.conversationId);
    const forward: Record<string, unknown> = {
      lastSeq: message.seq,
      lastMessage: lastMessageOf(message),
      lastActivityAt: message.createdAt,
      updatedAt: new Date(now),
    };
    const participants = participantIds.map((userId) => ({
      userId,
      lastReadAt: null,
      lastReplyRewardAt: rule?.rewardWindowStart(userId) ?? null,
    }));
    // An existing conversation gets its reward windows by array index; a new one gets everything on insert
    // (MongoDB refuses a $setOnInsert of an array beside an update of its elements).
    if (exists) {
      participants.forEach((participant, index) => {
        if (participant.lastReplyRewardAt)
          forward[`participants.${index}.lastReplyRewardAt`] = participant.lastReplyRewardAt;
      });
    }
    const onInsert = { kind: 'one_to_one', participantIds, participants, createdAt: message.createdAt };
    return {
      updateOne: {
        filter: { _id: message.conversationId },
        update: exists ? { $max: forward } : { $max: forward, $setOnInsert: onInsert },
        upsert: !exists,
      },
    };
  }) as never[];
}

/** What the conversations look like after this batch's updates, for the next batch to start from. */
function newHeads(
  latest: MessageDoc[],
  states: Map<string, ConversationState>,
  rules: Map<string, ReplyRewardRule>,
): ConversationState[] {
  return latest.map((message) => {
    const rule = rules.get(message.conversationId);
    const participantIds = states.get(message.conversationId)?.participants.map((p) => p.userId) ?? [
      message.senderId,
      message.recipientId,
    ];
    return {
      _id: message.conversationId,
      lastSeq: message.seq,
      // What the reply-reward rule needs of it; the text would only make the head heavier.
      lastMessage: { id: message._id, senderId: message.senderId, createdAt: message.createdAt },
      participants: participantIds.map((userId) => ({
        userId,
        lastReplyRewardAt: rule?.rewardWindowStart(userId) ?? null,
      })),
    };
  });
}

async function repairLastSeq(models: ChatModels, conversationIds: string[]): Promise<void> {
  for (const conversationId of conversationIds) {
    const last = await models.Message.collection.findOne<MessageDoc>(
      { conversationId },
      { sort: { seq: -1 }, projection: { seq: 1 } },
    );
    if (last) {
      await models.Conversation.collection.updateOne({ _id: conversationId } as never, {
        $max: { lastSeq: last.seq },
      });
    }
  }
}
