import type { MessagePersisted, MessageSent, RepliedIn24hrFirst } from '@chat/contracts';
import { mongo } from 'mongoose';
import { messageId } from './ids.js';
import type { ChatModels, ConversationDoc, MessageDoc } from './models.js';

/** Another writer took a seq this batch computed (a zombie persister after a rebalance); retry the batch. */
export class SeqConflictError extends Error {
  override readonly name = 'SeqConflictError';
  readonly retriable = true;
}

const DUPLICATE_KEY = 11000;
export const REPLY_WINDOW_MS = 24 * 60 * 60 * 1000;

type ConversationState = Pick<ConversationDoc, '_id' | 'lastSeq' | 'lastMessage' | 'participants'>;

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

  rewardWindowStart(userId: string): Date | undefined {
    const at = this.lastRewardAt.get(userId);
    return at === undefined ? undefined : new Date(at);
  }
}

/**
 * Stores a batch of send commands. Idempotent: a command whose message already exists (a redelivery or a
 * client's resend) yields the stored one. Round trips per batch, whatever its size: find existing, read
 * conversations, insertMany, bulkWrite. Uses the models' native collections: Mongoose document casting was
 * the cost on this path.
 */
export async function storeMessageBatch(models: ChatModels, commands: MessageSent[]): Promise<StoredBatch> {
  const messages = models.Message.collection;
  const conversations = models.Conversation.collection;
  const ids = commands.map((c) => messageId(c.conversationId, c.senderId, c.clientMessageId));

  const stored = new Map<string, MessageDoc>();
  for (const doc of await messages.find<MessageDoc>({ _id: { $in: [...new Set(ids)] } } as never).toArray()) {
    stored.set(doc._id, doc);
  }
  const conversationIds = [...new Set(commands.map((c) => c.conversationId))];
  const states = new Map<string, ConversationState>();
  for (const doc of await conversations
    .find<ConversationState>({ _id: { $in: conversationIds } } as never, {
      projection: { lastSeq: 1, lastMessage: 1, participants: 1 },
    })
    .toArray()) {
    states.set(doc._id, doc);
  }

  const now = Date.now();
  const lastSeqs = new Map([...states].map(([id, state]) => [id, state.lastSeq]));
  const fresh = new Set<MessageDoc>();
  commands.forEach((command, index) => {
    const id = ids[index] as string;
    if (stored.has(id)) return;
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
      // The persister's clock, not the gateway's: createdAt then follows storage (seq) order.
      createdAt: new Date(now),
    };
    stored.set(id, doc);
    fresh.add(doc);
  });

  const rules = new Map<string, ReplyRewardRule>();
  const inSeqOrder = [...new Set(ids)]
    .map((id) => stored.get(id) as MessageDoc)
    .sort((a, b) => a.seq - b.seq);
  for (const doc of inSeqOrder) {
    let rule = rules.get(doc.conversationId);
    if (!rule) {
      rule = new ReplyRewardRule(states.get(doc.conversationId));
      rules.set(doc.conversationId, rule);
    }
    rule.next(doc, fresh.has(doc));
  }

  if (fresh.size > 0) {
    try {
      await messages.insertMany([...fresh] as never[], { ordered: false });
    } catch (error) {
      if (isOnlyDuplicateKeys(error)) {
        await repairLastSeq(models, conversationIds);
        throw new SeqConflictError('a seq in this batch was already taken; conversation counters repaired', {
          cause: error,
        });
      }
      throw error;
    }
  }

  await conversations
    .bulkWrite(conversationUpdates(inSeqOrder, states, rules, now), { ordered: false })
    .catch((error: unknown) => {
      // A conversation created since we read it collides on _id: a replay, and it already holds this batch.
      if (!isOnlyDuplicateKeys(error)) throw error;
    });

  return {
    messages: ids.map((id) => toPersisted(stored.get(id) as MessageDoc)),
    rewards: inSeqOrder
      .filter((doc) => doc.replyReward?.repliedToMessageId && !doc.replyReward.publishedAt)
      .map((doc) => toReward(doc) as RepliedIn24hrFirst),
  };
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

/** One upsert per conversation: create it on its first message, move lastSeq, lastMessage and reward windows forward. */
function conversationUpdates(
  inSeqOrder: MessageDoc[],
  states: Map<string, ConversationState>,
  rules: Map<string, ReplyRewardRule>,
  now: number,
) {
  const latest = new Map<string, MessageDoc>();
  for (const doc of inSeqOrder) latest.set(doc.conversationId, doc);
  return [...latest.values()].map((message) => {
    const participantIds = [message.senderId, message.recipientId].sort();
    const rule = rules.get(message.conversationId);
    const exists = states.has(message.conversationId);
    const set: Record<string, unknown> = {
      lastSeq: message.seq,
      lastMessage: {
        id: message._id,
        senderId: message.senderId,
        recipientId: message.recipientId,
        clientMessageId: message.clientMessageId,
        text: message.text,
        seq: message.seq,
        createdAt: message.createdAt,
      },
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
          set[`participants.${index}.lastReplyRewardAt`] = participant.lastReplyRewardAt;
      });
    }
    const onInsert = { kind: 'one_to_one', participantIds, participants, createdAt: message.createdAt };
    return {
      updateOne: {
        // Only a newer message moves lastMessage: a redelivered old batch leaves it alone.
        filter: { _id: message.conversationId, lastSeq: { $lt: message.seq } },
        update: exists ? { $set: set } : { $set: set, $setOnInsert: onInsert },
        upsert: !exists,
      },
    };
  }) as never[];
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
