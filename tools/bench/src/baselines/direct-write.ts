/**
 * Baseline 2: the seed's old design. Each message takes the next seq of its conversation and is inserted into
 * the same database, one message at a time (two round trips), then acked and delivered; no Kafka.
 */
import { MongoClient } from 'mongodb';
import { conversationIdOf, recipientOf, runBaselineServer } from './common.js';

const uri = process.env.MONGODB_URI;
if (!uri) throw new Error('MONGODB_URI is required');
const client = await new MongoClient(uri).connect();
const database = client.db();
const conversations = database.collection<{ _id: string; lastSeq: number }>('conversations');
const messages = database.collection<{ _id: string; clientMessageId: string }>('messages');

await runBaselineServer('direct-write', async (senderId, payload) => {
  const recipientId = recipientOf(payload);
  const conversationId = conversationIdOf(senderId, recipientId);
  const conversation = await conversations.findOneAndUpdate(
    { _id: conversationId },
    { $inc: { lastSeq: 1 } },
    { upsert: true, returnDocument: 'after' },
  );
  const createdAt = new Date();
  const message = {
    _id: `${conversationId}|${senderId}|${payload.clientMessageId}`,
    conversationId,
    senderId,
    recipientId,
    clientMessageId: payload.clientMessageId,
    text: payload.text,
    seq: conversation?.lastSeq ?? 1,
    createdAt,
  };
  await messages.insertOne(message);
  const { _id, ...rest } = message;
  return {
    id: _id,
    ...rest,
    createdAt: createdAt.toISOString(),
    version: 1,
    reactions: [],
    changeSeq: rest.seq,
  };
});
