import { type MessageSent, MessageSentSchema } from '@chat/contracts';
import { testInfra, uniqueName } from '@chat/testkit';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { Kafka, logLevel } from 'kafkajs';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const infra = testInfra();

describe('local stack smoke', () => {
  const kafka = new Kafka({
    clientId: 'smoke',
    brokers: infra.kafkaBrokers.split(','),
    logLevel: logLevel.WARN,
  });

  it('round-trips a record through Kafka with kafkajs', async () => {
    const topic = uniqueName('smoke-roundtrip');
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();

    const producer = kafka.producer();
    const consumer = kafka.consumer({ groupId: uniqueName('smoke-group') });
    try {
      await producer.connect();
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const received = new Promise<{ key: string; value: string }>((resolve) => {
        void consumer.run({
          eachMessage: async ({ message }) =>
            resolve({ key: String(message.key), value: String(message.value) }),
        });
      });
      await producer.send({ topic, messages: [{ key: 'k1', value: 'hello kafka' }] });
      expect(await received).toEqual({ key: 'k1', value: 'hello kafka' });
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
    }
  });

  it('registers an Avro schema in the registry, then encodes and decodes a record with it', async () => {
    const registry = new SchemaRegistry({ host: infra.schemaRegistryUrl });
    const subject = `${uniqueName('smoke')}-value`;
    const { id } = await registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(MessageSentSchema) },
      { subject },
    );
    expect(id).toBeGreaterThan(0);
    expect(await registry.getLatestSchemaId(subject)).toBe(id);

    const event: MessageSent = {
      conversationId: 'c1',
      senderId: 'alice',
      recipientId: 'bob',
      clientMessageId: 'm-1',
      text: 'hi',
      sentAt: 1_700_000_000_000,
      replyToId: null,
    };
    const encoded = await registry.encode(id, event);
    // Confluent wire format: magic byte 0, then the 4-byte schema id.
    expect(encoded[0]).toBe(0);
    expect(encoded.readInt32BE(1)).toBe(id);
    // A fresh client must fetch the schema by id from the registry to decode.
    expect(await new SchemaRegistry({ host: infra.schemaRegistryUrl }).decode(encoded)).toEqual(event);
  });

  describe('MongoDB-protocol database through mongoose', () => {
    let connection: mongoose.Connection;
    beforeAll(async () => {
      connection = await mongoose
        .createConnection(infra.mongodbUri, { dbName: uniqueName('smoke').replace('-', '_') })
        .asPromise();
    });
    afterAll(async () => {
      await connection.dropDatabase();
      await connection.close();
    });

    it('inserts and finds documents, and a unique index rejects a duplicate', async () => {
      const User = connection.model(
        'User',
        new mongoose.Schema({ handle: { type: String, required: true, unique: true }, name: String }),
      );
      await User.init();
      await User.create({ handle: 'alice', name: 'Alice' });
      const found = await User.findOne({ handle: 'alice' }).lean();
      expect(found?.name).toBe('Alice');
      await expect(User.create({ handle: 'alice', name: 'Impostor' })).rejects.toMatchObject({ code: 11000 });
      expect(await User.countDocuments()).toBe(1);
    });
  });
});
