import type { MessagePersisted, MessageSent } from '@chat/contracts';
import { mongo } from 'mongoose';
import { messageId } from './ids.js';
import type { ChatModels, MessageDoc } from './models.js';

/** Another writer took a seq this batch computed (a zombie persister after a rebalance); retry the batch. */
export class SeqConflictError extends Error {
  override readonly name = 'SeqConflictError';
  readonly retriable = true;
}

const DUPLICATE_KEY = 11000;

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

/**
 * Stores a batch of send commands and returns the stored message for each, in command order.
 * Idempotent: a command whose message already exists (a redelivery or a client's resend) yields the stored one.
 * Round trips per batch, whatever its size: find existing, read conversation counters, insertMany, bulkWrite.
 * Uses the models' native collections: Mongoose document casting was the cost on this path.
 */
export async function storeMessageBatch(
  models: ChatModels,
  commands: MessageSent[],
): Promise<MessagePersisted[]> {
  const messages = models.Message.collection;
  const conversations = models.Conversation.collection;
  const ids = commands.map((c) => messageId(c.conversationId, c.senderId, c.clientMessageId));

  const stored = new Map<string, MessageDoc>();
  for (const doc of await messages.find<MessageDoc>({ _id: { $in: [...new Set(ids)] } } as never).toArray()) {
    stored.set(doc._id, doc);
  }

  const conversationIds = [...new Set(commands.map((c) => c.conversationId))];
  const lastSeqs = new Map<string, number>();
  for (const doc of await conversations
    .find<{ _id: string; lastSeq: number }>({ _id: { $in: conversationIds } } as never, {
      projection: { lastSeq: 1 },
    })
    .toArray()) {
    lastSeqs.set(doc._id, doc.lastSeq);
  }

  const now = Date.now();
  const fresh: MessageDoc[] = [];
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
    fresh.push(doc);
  });

  if (fresh.length > 0) {
    try {
      await messages.insertMany(fresh as never[], { ordered: false });
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

  const results = ids.map((id) => toPersisted(stored.get(id) as MessageDoc));
  await conversations
    .bulkWrite(conversationUpdates(results, now), { ordered: false })
    .catch((error: unknown) => {
      // A conversation already past this seq fails its filter, and the upsert then collides on _id: nothing to do.
      if (!isOnlyDuplicateKeys(error)) throw error;
    });
  return results;
}

function isOnlyDuplicateKeys(error: unknown): boolean {
  if (!(error instanceof mongo.MongoBulkWriteError)) return false;
  const writeErrors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
  return writeErrors.length > 0 && writeErrors.every((writeError) => writeError.code === DUPLICATE_KEY);
}

/** One upsert per conversation: create it on its first message, move lastSeq and lastMessage forward. */
function conversationUpdates(results: MessagePersisted[], now: number) {
  const latest = new Map<string, MessagePersisted>();
  for (const message of results) {
    const current = latest.get(message.conversationId);
    if (!current || message.seq > current.seq) latest.set(message.conversationId, message);
  }
  return [...latest.values()].map((message) => {
    const participantIds = [message.senderId, message.recipientId].sort();
    return {
      updateOne: {
        // Only a newer message moves lastMessage: a redelivered old batch leaves it alone.
        filter: { _id: message.conversationId, lastSeq: { $lt: message.seq } },
        update: {
          $set: {
            lastSeq: message.seq,
            lastMessage: {
              id: message.id,
              senderId: message.senderId,
              recipientId: message.recipientId,
              clientMessageId: message.clientMessageId,
              text: message.text,
              seq: message.seq,
              createdAt: new Date(message.createdAt),
            },
            updatedAt: new Date(now),
          },
          $setOnInsert: {
            kind: 'one_to_one',
            participantIds,
            participants: participantIds.map((userId) => ({ userId, lastReadAt: null })),
            createdAt: new Date(message.createdAt),
          },
        },
        upsert: true,
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
