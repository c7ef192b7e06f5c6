import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { deliveryTopic, Topics } from '@chat/contracts';
import {
  type AppProcess,
  metricSample as sample,
  sendMessage,
  sendStored,
  TestSystem,
  testInfra,
  waitFor,
} from '@chat/testkit';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const infra = testInfra();
/** The scraped texts are kept as samples, outside git (ignored). */
const artifacts = fileURLToPath(new URL('../../../test-artifacts/metrics/', import.meta.url));
const system = new TestSystem(infra, { PRESENCE_OFFLINE_DEBOUNCE_MS: '0' });
const GATEWAY = `metrics-${system.database.slice(-8)}`;
let persister: AppProcess;

beforeAll(async () => {
  persister = await system.startPersister();
  await system.startGateway({ GATEWAY_ID: GATEWAY });
});
afterAll(() => system.stop());

async function scrape(url: string): Promise<string> {
  const response = await fetch(`${url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  return response.text();
}

/** Scrapes until `check` passes (effects reach metrics asynchronously); returns the text that passed. */
async function scrapeUntil(url: string, check: (text: string) => boolean): Promise<string> {
  let text = '';
  await waitFor(
    async () => {
      text = await scrape(url);
      return check(text);
    },
    15_000,
    `metrics of ${url}`,
  );
  return text;
}

describe('/metrics', () => {
  it('counts sends, sockets, acks, presence, batches, writes, lag and dead letters on both apps', async () => {
    const gatewayUrl = system.url();
    const persisterUrl = `http://127.0.0.1:${persister.port}`;
    const before = await scrape(gatewayUrl);
    expect(sample(before, 'chat_gateway_sends_total', { outcome: 'ok' })).toBeUndefined();

    const [alice, bob] = ['m-alice', 'm-bob'];
    const watcher = await system.connect(bob);
    const subscribed = await watcher.timeout(10_000).emitWithAck('presence:subscribe', { userIds: [alice] });
    expect(subscribed.ok).toBe(true);
    const sender = await system.connect(alice);
    for (const text of ['one', 'two', 'three']) await sendStored(sender, bob, text);
    const refused = await sendMessage(sender, { clientMessageId: '', otherUserId: bob, text: 'x' });
    expect(refused.ok).toBe(false);

    const kafka = new Kafka({ brokers: infra.kafkaBrokers.split(','), logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: `${system.topicPrefix}${Topics.messageSent}`,
      messages: [{ key: 'm-poison', value: Buffer.from('not avro') }],
    });
    await producer.disconnect();

    const gateway = await scrapeUntil(
      gatewayUrl,
      (text) => (sample(text, 'chat_gateway_presence_updates_total', { state: 'online' }) ?? 0) >= 1,
    );
    expect(sample(gateway, 'chat_gateway_sends_total', { outcome: 'ok' })).toBe(3);
    expect(sample(gateway, 'chat_gateway_sends_total', { outcome: 'VALIDATION_FAILED' })).toBe(1);
    expect(sample(gateway, 'chat_gateway_send_ack_seconds_count', { outcome: 'ok' })).toBe(3);
    expect(sample(gateway, 'chat_gateway_send_ack_seconds_sum', { outcome: 'ok' })).toBeGreaterThan(0);
    expect(sample(gateway, 'chat_gateway_connected_sockets')).toBe(2);
    expect(sample(gateway, 'chat_gateway_pending_acks', { kind: 'message.sent' })).toBe(0);
    expect(
      sample(gateway, 'chat_gateway_presence_updates_total', { state: 'online' }),
    ).toBeGreaterThanOrEqual(1);
    // The gateway reads its own delivery topic, not the whole fact stream.
    expect(sample(gateway, 'chat_kafka_consumer_lag', { topic: deliveryTopic(GATEWAY) })).toBe(0);
    expect(sample(gateway, 'process_cpu_user_seconds_total', { service: 'gateway' })).toBeGreaterThan(0);

    const stored = await scrapeUntil(
      persisterUrl,
      (text) =>
        sample(text, 'chat_persister_batch_size_sum') === 3 &&
        sample(text, 'chat_dead_letters_total', { topic: Topics.messageSent }) === 1,
    );
    expect(sample(stored, 'chat_persister_batch_size_sum')).toBe(3);
    expect(sample(stored, 'chat_persister_batch_size_count')).toBeGreaterThanOrEqual(1);
    expect(
      sample(stored, 'chat_persister_db_write_seconds_count', { kind: 'messages' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(stored, 'chat_dead_letters_total', { topic: Topics.messageSent, code: 'NOT_WIRE_FORMAT' }),
    ).toBe(1);
    expect(
      sample(stored, 'chat_kafka_consumer_failures_total', { stage: 'decode', retriable: 'false' }),
    ).toBe(1);
    expect(sample(stored, 'chat_kafka_consumer_lag', { topic: Topics.messageSent })).toBe(0);
    expect(sample(stored, 'nodejs_heap_size_used_bytes', { service: 'persister' })).toBeGreaterThan(0);

    mkdirSync(artifacts, { recursive: true });
    writeFileSync(`${artifacts}gateway.txt`, gateway);
    writeFileSync(`${artifacts}persister.txt`, stored);
    process.stdout.write(`metrics samples: ${artifacts}gateway.txt, ${artifacts}persister.txt\n`);
  });
});
