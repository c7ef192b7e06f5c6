import { KafkaHeaders, type MessageSent, Topics } from '@chat/contracts';
import type { EventBus } from '@chat/event-bus';
import { oneToOneConversationId } from '@chat/storage';
import { connectClient, mintToken, sendStored, TestSystem, testInfra } from '@chat/testkit';
import { Kafka, logLevel } from 'kafkajs';
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
    ...overrides,
  };
}

async function readDeadLetters(count: number): Promise<Array<{ reason: string; source: string }>> {
  const consumer = kafka.consumer({ groupId: `${system.topicPrefix}dlq-reader` });
  await consumer.connect();
  await consumer.subscribe({ topic: `${system.topicPrefix}${Topics.deadLetter}`, fromBeginning: true });
  const letters: Array<{ reason: string; source: string }> = [];
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        letters.push({
          reason: String(message.headers?.[KafkaHeaders.deadLetterReason]),
          source: String(message.headers?.[KafkaHeaders.deadLetterSourceTopic]),
        });
        if (letters.length >= count) resolve();
      },
    });
  });
  await consumer.disconnect();
  return letters;
}

describe('records the persister cannot process', () => {
  it('go to the dead-letter topic with a reason, and the partition keeps flowing', async () => {
    const producer = kafka.producer();
    await producer.connect();
    const conversationId = oneToOneConversationId('dl-alice', 'dl-bob');
    // Not Avro at all; a valid record of another topic (a gateway's heartbeat); and a well-formed command that
    // breaks the rules: all on the conversation's partition.
    const heartbeat = await firstRawValue(Topics.presenceGateway);
    await producer.send({
      topic: `${system.topicPrefix}${Topics.messageSent}`,
      messages: [
        { key: conversationId, value: Buffer.from('not avro') },
        { key: conversationId, value: heartbeat },
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

    const letters = await readDeadLetters(3);
    expect(letters.map((l) => l.reason).sort()).toEqual([
      'conversationId does not match its participants',
      expect.stringMatching(/^undecodable: not in the schema registry wire format$/),
      expect.stringMatching(
        /^undecodable: schema \d+ is chat\.events\.v1\.PresenceGateway, not chat\.events\.v1\.MessageSent/,
      ),
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
