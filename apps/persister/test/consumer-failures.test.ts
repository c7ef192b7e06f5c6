import { EventCatalog, type MessageSent, Topics } from '@chat/contracts';
import { RETRY_POLICY } from '@chat/event-bus';
import { oneToOneConversationId } from '@chat/storage';
import {
  type AppProcess,
  metricSample,
  PrivateDatabase,
  scrapeMetrics,
  TcpProxy,
  TestSystem,
  testInfra,
  waitFor,
} from '@chat/testkit';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * A dependency that is down fails the persister's work for as long as it is down, and must never cost a record:
 * it is retried until the dependency is back, past the bound after which a record at fault is dead-lettered.
 * The registry, Kafka and the database are real; the registry's outage is a network cut between it and the
 * persister (the shared registry keeps running), the database's a SIGKILL of a private one.
 */
const infra = testInfra();

function command(senderId: string, recipientId: string, text: string): MessageSent {
  return {
    conversationId: oneToOneConversationId(senderId, recipientId),
    senderId,
    recipientId,
    clientMessageId: text,
    text,
    sentAt: Date.now(),
    replyToId: null,
  };
}

/** The persister's failed attempts of one stage that it retries, and its dead letters. */
async function failures(persister: AppProcess, stage: 'decode' | 'handle') {
  const text = await scrapeMetrics(persister);
  return {
    retried: metricSample(text, 'chat_kafka_consumer_failures_total', { stage, retriable: 'true' }) ?? 0,
    deadLetters: metricSample(text, 'chat_dead_letters_total') ?? 0,
  };
}

/** Waits until the conversation holds exactly `texts`, as seq 1, 2, …: everything stored once, in order. */
async function storedInOrder(system: TestSystem, conversationId: string, texts: string[], what: string) {
  const messages = system.db.collection<{ text: string; seq: number }>('messages');
  await waitFor(
    async () => (await messages.countDocuments({ conversationId })) === texts.length,
    60_000,
    what,
  );
  const stored = await messages.find({ conversationId }).sort({ seq: 1 }).toArray();
  expect(stored.map(({ seq, text }) => ({ seq, text }))).toEqual(
    texts.map((text, i) => ({ seq: i + 1, text })),
  );
}

/**
 * Waits until the persister retried a stage more times than a record at fault is tried before it is set aside;
 * fails at once if it set a record aside instead.
 */
const retriedPastTheBound = (persister: AppProcess, stage: 'decode' | 'handle', timeoutMs: number) =>
  waitFor(
    async () => {
      const { retried, deadLetters } = await failures(persister, stage);
      if (deadLetters > 0) throw new Error(`the persister set ${deadLetters} record(s) aside`);
      return retried > RETRY_POLICY.attempts;
    },
    timeoutMs,
    `${stage} retried past the dead-letter bound`,
  );

describe('the schema registry unreachable while decoding', () => {
  const system = new TestSystem(infra);
  const proxy = TcpProxy.start(infra.schemaRegistryUrl);
  afterAll(async () => {
    await (await proxy).stop();
    await system.stop();
  });

  it('holds a record with a schema id not met yet until the registry answers, then stores it and the ones after it', async () => {
    const registryUrl = (await proxy).url(infra.schemaRegistryUrl);
    const persister = await system.startPersister({ SCHEMA_REGISTRY_URL: registryUrl });
    const bus = await system.eventBus('registry-outage-test');
    // A newer version of message.sent's schema (one optional field more), registered after the persister
    // started, as a newer gateway would: the persister has never met its id.
    const registry = new SchemaRegistry({ host: infra.schemaRegistryUrl });
    const v1 = EventCatalog[Topics.messageSent];
    const { id } = await registry.register(
      {
        type: SchemaType.AVRO,
        schema: JSON.stringify({
          ...v1,
          fields: [...v1.fields, { name: 'clientTag', type: ['null', 'string'], default: null }],
        }),
      },
      { subject: `${system.topicPrefix}${Topics.messageSent}-value` },
    );
    const newer = command('ro-alice', 'ro-bob', 'with the newer schema');
    const newerBytes = await registry.encode(id, { ...newer, clientTag: 'v2' });

    await (await proxy).cut();
    const kafka = new Kafka({ brokers: infra.kafkaBrokers.split(','), logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: `${system.topicPrefix}${Topics.messageSent}`,
      messages: [{ key: newer.conversationId, value: newerBytes }],
    });
    await producer.disconnect();
    // The next command of the conversation: it must wait behind the first, not overtake it.
    await bus.publish(Topics.messageSent, [
      { key: newer.conversationId, value: command('ro-alice', 'ro-bob', 'after it') },
    ]);

    await retriedPastTheBound(persister, 'decode', 30_000);
    const messages = system.db.collection<{ text: string; seq: number }>('messages');
    expect(await messages.countDocuments({ conversationId: newer.conversationId }), 'held, in order').toBe(0);
    expect((await failures(persister, 'decode')).deadLetters).toBe(0);

    await (await proxy).restore();
    await storedInOrder(
      system,
      newer.conversationId,
      ['with the newer schema', 'after it'],
      'both stored once the registry answers',
    );
    expect((await failures(persister, 'decode')).deadLetters).toBe(0);
  });
});

describe('the database down while storing', () => {
  const database = PrivateDatabase.start();
  let system: TestSystem;
  afterAll(async () => {
    await system?.stop();
    await (await database).stop();
  });

  it('retries the batch until the database is back: nothing set aside, everything stored once', async () => {
    system = new TestSystem({ ...infra, mongodbUri: (await database).uri });
    const persister = await system.startPersister();
    const bus = await system.eventBus('database-outage-test');

    await (await database).kill();
    const first = command('do-alice', 'do-bob', 'while the database is down');
    await bus.publish(Topics.messageSent, [
      { key: first.conversationId, value: first },
      { key: first.conversationId, value: command('do-alice', 'do-bob', 'and another') },
    ]);
    await retriedPastTheBound(persister, 'handle', 120_000);
    expect((await failures(persister, 'handle')).deadLetters).toBe(0);

    await (await database).restore();
    await storedInOrder(
      system,
      first.conversationId,
      ['while the database is down', 'and another'],
      'both stored once the database is back',
    );
    expect((await failures(persister, 'handle')).deadLetters).toBe(0);
  });
});
