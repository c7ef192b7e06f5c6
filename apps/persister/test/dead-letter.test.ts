import { KafkaHeaders, type MessageSent, type RepliedIn24hrFirst, Topics } from '@chat/contracts';
import { type EventBus, RETRY_POLICY } from '@chat/event-bus';
import { createLogger } from '@chat/runtime';
import { oneToOneConversationId } from '@chat/storage';
import { connectClient, mintToken, sendStored, TestSystem, testInfra, waitFor } from '@chat/testkit';
import { type IHeaders, Kafka, logLevel } from 'kafkajs';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const infra = testInfra();
const system = new TestSystem(infra);
const kafka = new Kafka({
  clientId: 'dead-letter-test',
  brokers: infra.kafkaBrokers.split(','),
  logLevel: logLevel.NOTHING,
});
let bus: EventBus;

beforeAll(async () => {
  await system.startPersister();
  await system.startGateway();
  bus = await system.eventBus('dead-letter-test');
});
afterAll(() => system.stop());

/** The raw value (wire format, schema id and all) of the first record on one of this system's topics. */
async function firstRawValue(topic: string): Promise<Buffer> {
  const consumer = kafka.consumer({ groupId: `${system.topicPrefix}raw-reader` });
  await consumer.connect();
  await consumer.subscribe({ topic: `${system.topicPrefix}${topic}`, fromBeginning: true });
  const value = await new Promise<Buffer>((resolve) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        if (message.value) resolve(message.value);
      },
    });
  });
  await consumer.disconnect();
  return value;
}

function command(overrides: Partial<MessageSent> = {}): MessageSent {
  const senderId = overrides.senderId ?? 'dl-alice';
  const recipientId = overrides.recipientId ?? 'dl-bob';
  return {
    conversationId: oneToOneConversationId(senderId, recipientId),
    senderId,
    recipientId,
    clientMessageId: 'dl-1',
    text: 'hello',
    sentAt: Date.now(),
    replyToId: null,
    ...overrides,
  };
}

interface Letter {
  reason: string;
  code: string;
  source: string;
  offset: string;
  consumer: string;
}

/** This system's dead letters, read from the first until `enough` (each call with a group of its own). */
async function readDeadLetters(enough: (letters: Letter[]) => boolean): Promise<Letter[]> {
  const consumer = kafka.consumer({ groupId: `${system.topicPrefix}dlq-reader-${++readers}` });
  await consumer.connect();
  await consumer.subscribe({ topic: `${system.topicPrefix}${Topics.deadLetter}`, fromBeginning: true });
  const letters: Letter[] = [];
  const header = (headers: IHeaders | undefined, name: string) => String(headers?.[name]);
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        letters.push({
          reason: header(message.headers, KafkaHeaders.deadLetterReason),
          code: header(message.headers, KafkaHeaders.deadLetterErrorCode),
          source: header(message.headers, KafkaHeaders.deadLetterSourceTopic),
          offset: header(message.headers, KafkaHeaders.deadLetterSourceOffset),
          consumer: header(message.headers, KafkaHeaders.deadLetterConsumer),
        });
        if (enough(letters)) resolve();
      },
    });
  });
  await consumer.disconnect();
  return letters;
}
let readers = 0;

describe('records the persister cannot process', () => {
  it('go to the dead-letter topic with a reason, and the partition keeps flowing', async () => {
    const producer = kafka.producer();
    await producer.connect();
    const conversationId = oneToOneConversationId('dl-alice', 'dl-bob');
    // Not Avro at all; a valid record of another topic (a gateway's heartbeat); the wire format with a schema id
    // the registry does not have; and a well-formed command that breaks the rules: all on the conversation's
    // partition.
    const heartbeat = await firstRawValue(Topics.presenceGateway);
    const unknownSchema = Buffer.from([0, 0x7f, 0xff, 0xff, 0xf0, 2, 4, 6]);
    await producer.send({
      topic: `${system.topicPrefix}${Topics.messageSent}`,
      messages: [
        { key: conversationId, value: Buffer.from('not avro') },
        { key: conversationId, value: heartbeat },
        { key: conversationId, value: unknownSchema },
      ],
    });
    await producer.disconnect();
    await bus.publish(Topics.messageSent, [
      { key: conversationId, value: command({ conversationId: 'dm_wrong' }) },
    ]);

    const client = await connectClient(system.url(), { token: mintToken('dl-alice') });
    try {
      const stored = await sendStored(client, 'dl-bob', 'after the bad records');
      expect(stored.seq).toBe(1);
    } finally {
      client.close();
    }

    const letters = await readDeadLetters((letters) => letters.length >= 4);
    expect(letters.map(({ code, reason }) => ({ code, reason }))).toEqual([
      { code: 'NOT_WIRE_FORMAT', reason: 'undecodable: not in the schema registry wire format' },
      {
        code: 'WRONG_SCHEMA',
        reason: expect.stringMatching(
          /^undecodable: schema \d+ is chat\.events\.v1\.PresenceGateway, not chat\.events\.v1\.MessageSent/,
        ),
      },
      { code: 'UNKNOWN_SCHEMA', reason: 'undecodable: schema 2147483632 is not in the registry' },
      { code: 'REFUSED', reason: 'conversationId does not match its participants' },
    ]);
    expect(letters.every((l) => l.source === `${system.topicPrefix}${Topics.messageSent}`)).toBe(true);
  });

  it('a command delivered twice by Kafka is stored once, and both deliveries report the same message', async () => {
    const duplicate = command({ senderId: 'dup-alice', recipientId: 'dup-bob', clientMessageId: 'dup-1' });
    const persisted = kafka.consumer({ groupId: `${system.topicPrefix}persisted-reader` });
    await persisted.connect();
    await persisted.subscribe({
      topic: `${system.topicPrefix}${Topics.messagePersisted}`,
      fromBeginning: true,
    });
    const reports: string[] = [];
    const twoReports = new Promise<void>((resolve) => {
      void persisted.run({
        eachMessage: async ({ message }) => {
          if (message.key?.toString() !== duplicate.conversationId) return;
          reports.push(String(message.headers?.[KafkaHeaders.correlationId]));
          if (reports.length === 2) resolve();
        },
      });
    });
    await bus.publish(Topics.messageSent, [
      { key: duplicate.conversationId, value: duplicate, headers: { [KafkaHeaders.correlationId]: 'first' } },
    ]);
    await bus.publish(Topics.messageSent, [
      {
        key: duplicate.conversationId,
        value: duplicate,
        headers: { [KafkaHeaders.correlationId]: 'second' },
      },
    ]);
    await twoReports;
    await persisted.disconnect();
    expect(reports.sort()).toEqual(['first', 'second']);
    expect(
      await system.db.collection('messages').countDocuments({ conversationId: duplicate.conversationId }),
    ).toBe(1);
  });
});

describe('a record its handler keeps failing on (a poison record)', () => {
  it('is tried alone a bounded number of times, set aside with its error, counted and logged once, and the partition flows on', async () => {
    // Every line the consumer's bus logs, parsed, and its metrics.
    const logs: Array<Record<string, unknown>> = [];
    const destination = { write: (line: string) => logs.push(JSON.parse(line)) };
    const metrics = new Registry();
    const bus = await system.eventBus('poison-test', {
      logger: createLogger({ name: 'poison-test', level: 'debug', destination }),
      metrics,
    });
    const reward = (messageId: string): RepliedIn24hrFirst => ({
      eventId: messageId,
      conversationId: 'dm_poison',
      replierId: 'p-bob',
      repliedToId: 'p-alice',
      messageId,
      repliedToMessageId: 'm-0',
      replyDelayMs: 1,
      repliedAt: Date.now(),
    });
    const group = `${system.topicPrefix}poison-reader`;
    // A consumer whose handler has a bug that one record trips, every time, with an error that is not retriable.
    const handled: string[] = [];
    let poisonAlone = 0;
    await bus.subscribe({
      groupId: group,
      fromBeginning: true,
      handlers: {
        [Topics.repliedIn24hrFirst]: async (events) => {
          if (events.some((event) => event.value.messageId === 'poison')) {
            if (events.length === 1) poisonAlone += 1;
            throw new TypeError("Cannot read properties of undefined (reading 'id')");
          }
          handled.push(...events.map((event) => event.value.messageId));
        },
      },
    });
    // One key: one partition, one order.
    await bus.publish(
      Topics.repliedIn24hrFirst,
      ['before', 'poison', 'after'].map((id) => ({ key: 'dm_poison', value: reward(id) })),
    );

    await waitFor(() => handled.includes('after'), 30_000, 'the record after the poison handled');
    expect(handled, 'in order, each once').toEqual(['before', 'after']);
    expect(poisonAlone).toBe(RETRY_POLICY.attempts);

    const fromGroup = (letters: Letter[]) => letters.filter((l) => l.consumer === group);
    const [letter] = fromGroup(await readDeadLetters((letters) => fromGroup(letters).length > 0));
    expect(letter).toMatchObject({
      code: 'HANDLER_FAILED',
      reason: "handler failed: Cannot read properties of undefined (reading 'id')",
      source: `${system.topicPrefix}${Topics.repliedIn24hrFirst}`,
    });
    const counted = await metrics.getSingleMetric('chat_dead_letters_total')?.get();
    expect(counted?.values).toEqual([
      {
        labels: {
          group,
          topic: Topics.repliedIn24hrFirst,
          code: 'HANDLER_FAILED',
        },
        value: 1,
      },
    ]);
    const setAside = logs.filter((line) => line.msg === 'record set aside to the dead-letter topic');
    expect(setAside).toEqual([
      expect.objectContaining({ level: 50, offset: letter?.offset, code: 'HANDLER_FAILED' }),
    ]);
  });
});
