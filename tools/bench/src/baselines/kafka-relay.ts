/**
 * Baseline 3: one KafkaJS produce-to-consume round trip on the same broker, producer settings as in our
 * event bus (idempotent, one request in flight), JSON values, no schema registry and no database.
 */
import { randomUUID } from 'node:crypto';
import type { MessageDto } from '@chat/contracts';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { runBaselineServer, unstoredMessage } from './common.js';

const brokers = process.env.KAFKA_BROKERS?.split(',');
const topic = process.env.BENCH_TOPIC;
if (!brokers || !topic) throw new Error('KAFKA_BROKERS and BENCH_TOPIC are required');

const kafka = new Kafka({ clientId: `bench-${topic}`, brokers, logLevel: logLevel.WARN });
const admin = kafka.admin();
await admin.connect();
await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 3 }] });
await admin.disconnect();

const producer = kafka.producer({
  idempotent: true,
  maxInFlightRequests: 1,
  createPartitioner: Partitioners.DefaultPartitioner,
});
await producer.connect();

const waiting = new Map<string, (message: MessageDto) => void>();
const consumer = kafka.consumer({ groupId: `${topic}-group`, allowAutoTopicCreation: false });
await consumer.connect();
// A brand-new topic: reading from the beginning cannot replay anything old, and misses nothing sent early.
await consumer.subscribe({ topic, fromBeginning: true });
const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
await consumer.run({
  eachMessage: async ({ message }) => {
    const correlationId = message.headers?.['correlation-id']?.toString();
    if (!correlationId || !message.value) return;
    waiting.get(correlationId)?.(JSON.parse(message.value.toString()) as MessageDto);
    waiting.delete(correlationId);
  },
});
await joined;

let seq = 0;
await runBaselineServer('kafka-relay', async (senderId, payload) => {
  seq += 1;
  const message = unstoredMessage(senderId, payload, seq);
  const { conversationId } = message;
  const correlationId = randomUUID();
  const consumed = new Promise<MessageDto>((resolve) => waiting.set(correlationId, resolve));
  await producer.send({
    topic,
    messages: [
      { key: conversationId, value: JSON.stringify(message), headers: { 'correlation-id': correlationId } },
    ],
  });
  return consumed;
});
