import type { MessageSent } from '@chat/contracts';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConversationHeads } from '../src/conversation-heads.js';
import { oneToOneConversationId } from '../src/ids.js';
import { storeMessageBatch, WriteConflictError } from '../src/message-writes.js';
import type { ChatModels } from '../src/models.js';
import { applyReadMarkers } from '../src/read-markers.js';
import { storedMessages, useTestModels } from './fixtures.js';

const testModels = useTestModels('storage');
let models: ChatModels;
let pair = 0;

beforeAll(() => {
  models = testModels();
});

function commandsFor(count: number, start = 1) {
  pair += 1;
  const [a, b] = [`a${pair}`, `b${pair}`];
  const make = (n: number): MessageSent => ({
    conversationId: oneToOneConversationId(a, b),
    senderId: n % 2 ? a : b,
    recipientId: n % 2 ? b : a,
    clientMessageId: `m${n}`,
    text: `text ${n}`,
    sentAt: Date.now(),
    replyToId: null,
  });
  return Array.from({ length: count }, (_, i) => make(start + i));
}

const seqsOf = async (conversationId: string) =>
  (await models.messages.find({ conversationId }).sort({ seq: 1 }).toArray()).map((m) => [
    m.clientMessageId,
    m.seq,
  ]);

describe('storeMessageBatch', () => {
  it('numbers a conversation 1..n in command order', async () => {
    const commands = commandsFor(5);
    const messages = storedMessages(await storeMessageBatch(models, commands));
    expect(messages.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
    const conversation = await models.conversations.findOne({
      _id: commands[0]?.conversationId as string,
    });
    expect(conversation).toMatchObject({ lastSeq: 5, lastMessage: { seq: 5 } });
  });

  it('moves each existing conversation of a batch to its own latest message, in one statement', async () => {
    const conversations = [commandsFor(6), commandsFor(6), commandsFor(6)];
    await storeMessageBatch(
      models,
      conversations.flatMap((commands) => commands.slice(0, 2)),
    );
    // One batch moves all three forward, by different amounts; a new conversation is created beside them.
    const fresh = commandsFor(1);
    await storeMessageBatch(models, [
      ...(conversations[0] as MessageSent[]).slice(2, 3),
      ...(conversations[1] as MessageSent[]).slice(2, 6),
      ...fresh,
      ...(conversations[2] as MessageSent[]).slice(2, 4),
    ]);
    const heads = await models.conversations
      .find({
        _id: { $in: [...conversations, fresh].map((commands) => commands[0]?.conversationId as string) },
      })
      .toArray();
    const headOf = (commands: MessageSent[]) =>
      heads.find((head) => head._id === commands[0]?.conversationId);
    for (const [commands, last] of [
      [conversations[0], 3],
      [conversations[1], 6],
      [conversations[2], 4],
      [fresh, 1],
    ] as const) {
      expect(headOf(commands as MessageSent[])).toMatchObject({
        lastSeq: last,
        lastChangeSeq: last,
        lastMessage: { seq: last, text: `text ${last}` },
      });
      expect(headOf(commands as MessageSent[])).not.toHaveProperty('_head');
    }
  });

  it('moves lastMessage forward by its seq alone, whatever the order of its stored fields', async () => {
    const commands = commandsFor(3);
    const conversationId = commands[0]?.conversationId as string;
    await storeMessageBatch(models, commands.slice(0, 2));
    // As another writer (or an older version) might store it: a higher `id` first, then a lower seq.
    const stored = await models.conversations.findOne({ _id: conversationId });
    const { id, seq, ...rest } = { ...stored?.lastMessage };
    await models.conversations.updateOne(
      { _id: conversationId },
      { $set: { lastMessage: { id: `~${id}`, seq: seq as number, ...rest } } },
    );
    // A text that reads like a field path is stored as it is, not evaluated.
    await storeMessageBatch(models, [{ ...(commands[2] as MessageSent), text: '$lastSeq' }]);
    expect(await models.conversations.findOne({ _id: conversationId })).toMatchObject({
      lastSeq: 3,
      lastMessage: { seq: 3, clientMessageId: 'm3', text: '$lastSeq' },
    });
  });

  it('keeps seqs gapless when a batch mixes resends, in-batch duplicates and new messages', async () => {
    const first = commandsFor(3);
    await storeMessageBatch(models, first);
    const [m1, m2, m3] = first as [MessageSent, MessageSent, MessageSent];
    const next = { ...m1, clientMessageId: 'm4' };
    const later = { ...m2, clientMessageId: 'm5' };
    const messages = storedMessages(await storeMessageBatch(models, [m2, next, m1, next, later, m3]));
    expect(messages.map((m) => [m.clientMessageId, m.seq])).toEqual([
      ['m2', 2],
      ['m4', 4],
      ['m1', 1],
      ['m4', 4],
      ['m5', 5],
      ['m3', 3],
    ]);
    expect(await seqsOf(m1.conversationId)).toEqual([
      ['m1', 1],
      ['m2', 2],
      ['m3', 3],
      ['m4', 4],
      ['m5', 5],
    ]);
  });

  it('recovers from a crash between the insert and the conversation update', async () => {
    const commands = commandsFor(4);
    await storeMessageBatch(models, commands.slice(0, 2));
    // What a crash leaves: messages 3 and 4 stored, the conversation still at lastSeq 2.
    const conversationId = commands[0]?.conversationId as string;
    const messages = storedMessages(await storeMessageBatch(models, commands.slice(2)));
    await models.conversations.updateOne({ _id: conversationId }, { $set: { lastSeq: 2 } });
    const replay = await storeMessageBatch(models, [
      ...commands.slice(2),
      ...commandsFor(0),
      { ...(commands[0] as MessageSent), clientMessageId: 'after-crash' },
    ]);
    expect(storedMessages(replay).map((m) => m.seq)).toEqual([...messages.map((m) => m.seq), 5]);
    expect(await models.conversations.findOne({ _id: conversationId })).toMatchObject({
      lastSeq: 5,
    });
  });

  it('never moves lastMessage back when a replayed message counts again', async () => {
    const commands = commandsFor(5);
    await storeMessageBatch(models, commands);
    const conversationId = commands[0]?.conversationId as string;
    // A crash-like counter left behind: the replay of m3 then counts as an advance past seq 2.
    await models.conversations.updateOne({ _id: conversationId }, { $set: { lastSeq: 2 } });
    await storeMessageBatch(models, [commands[2] as MessageSent]);
    expect(await models.conversations.findOne({ _id: conversationId })).toMatchObject({
      lastSeq: 3,
      lastMessage: { seq: 5, clientMessageId: 'm5' },
    });
  });

  it('numbers from its remembered heads, and retries from storage once another writer moved on', async () => {
    const heads = new ConversationHeads(100);
    const commands = commandsFor(6);
    const conversationId = commands[0]?.conversationId as string;
    await storeMessageBatch(models, commands.slice(0, 2), heads);
    expect(heads.get(conversationId)).toMatchObject({
      lastSeq: 2,
      lastMessage: { senderId: commands[1]?.senderId },
    });
    await storeMessageBatch(models, commands.slice(2, 3), heads);
    // Another writer (a persister that took the partition over) stores the next two.
    await storeMessageBatch(models, commands.slice(3, 5));

    await expect(storeMessageBatch(models, commands.slice(5), heads)).rejects.toBeInstanceOf(
      WriteConflictError,
    );
    expect(heads.get(conversationId)).toBeUndefined();
    const retried = await storeMessageBatch(models, commands.slice(5), heads);
    expect(storedMessages(retried).map((m) => m.seq)).toEqual([6]);
    expect((await seqsOf(conversationId)).map(([, seq]) => seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await models.conversations.findOne({ _id: conversationId })).toMatchObject({
      lastSeq: 6,
      lastMessage: { seq: 6 },
    });
  });
});

/** Retries a batch the way the persister's consumer does when another writer got there first. */
async function storeRetrying(commands: MessageSent[]) {
  for (;;) {
    try {
      return await storeMessageBatch(models, commands);
    } catch (error) {
      if (!(error instanceof WriteConflictError)) throw error;
    }
  }
}

describe('concurrent writers on one conversation', () => {
  it('loses neither the read marker nor the message when both land at the same moment', async () => {
    const commands = commandsFor(30);
    const conversationId = commands[0]?.conversationId as string;
    const reader = commands[1]?.senderId as string;
    await storeMessageBatch(models, commands.slice(0, 1));
    const readTimes: number[] = [];
    for (const [round, command] of commands.slice(1).entries()) {
      const readAt = Date.UTC(2030, 0, 1) + round * 1000;
      readTimes.push(readAt);
      await Promise.all([
        storeRetrying([command]),
        applyReadMarkers(models, [{ conversationId, readerId: reader, readAt }]),
      ]);
    }
    const conversation = await models.conversations.findOne({ _id: conversationId });
    expect(conversation?.lastSeq).toBe(30);
    expect(conversation?.lastMessage?.seq).toBe(30);
    expect(conversation?.participants.find((p) => p.userId === reader)?.lastReadAt?.getTime()).toBe(
      Math.max(...readTimes),
    );
    expect((await seqsOf(conversationId)).map(([, seq]) => seq)).toEqual(
      Array.from({ length: 30 }, (_, i) => i + 1),
    );
  });

  it('stores every message once, gapless, when two persisters write one conversation at once', async () => {
    const commands = commandsFor(40);
    const conversationId = commands[0]?.conversationId as string;
    // Two writers without remembered heads (as during a rebalance), each with its own half, in rounds.
    for (let round = 0; round < 10; round += 1) {
      const slice = commands.slice(round * 4, round * 4 + 4);
      await Promise.all([storeRetrying(slice.slice(0, 2)), storeRetrying(slice.slice(2))]);
    }
    const stored = await seqsOf(conversationId);
    expect(stored.map(([, seq]) => seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(new Set(stored.map(([id]) => id)).size).toBe(40);
    expect(await models.conversations.findOne({ _id: conversationId })).toMatchObject({
      lastSeq: 40,
      lastMessage: { seq: 40 },
    });
  });
});
