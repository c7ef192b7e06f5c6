import { KafkaHeaders, Topics } from '@chat/contracts';
import type { IncomingEvent } from '@chat/event-bus';
import { sendStored, TestSystem, testInfra, waitFor } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const system = new TestSystem(testInfra());

beforeAll(async () => {
  await system.startPersister();
  await system.startGateway();
});
afterAll(() => system.stop());

describe('the trace headers on message.persisted (informational, read by pnpm bench)', () => {
  it('say when the persister received the command and stored it, between the two records’ timestamps', async () => {
    const sent: IncomingEvent<typeof Topics.messageSent>[] = [];
    const persisted: IncomingEvent<typeof Topics.messagePersisted>[] = [];
    const bus = await system.eventBus('trace-headers-test');
    await bus.subscribe({
      groupId: `${system.topicPrefix}trace-reader`,
      fromBeginning: true,
      commitOffsets: false,
      handlers: {
        [Topics.messageSent]: async (events) => {
          sent.push(...events);
        },
        [Topics.messagePersisted]: async (events) => {
          persisted.push(...events);
        },
      },
    });
    const alice = system.newUser('alice');
    const bob = system.newUser('bob');
    const client = await system.connect(alice);
    const before = Date.now();
    const message = await sendStored(client, bob, 'traced');
    const acked = Date.now();
    await waitFor(() => sent.length > 0 && persisted.length > 0, 15_000, 'both records read');

    const command = sent[0] as IncomingEvent<typeof Topics.messageSent>;
    const fact = persisted[0] as IncomingEvent<typeof Topics.messagePersisted>;
    expect(fact.value.id).toBe(message.id);
    expect(fact.headers[KafkaHeaders.correlationId]).toBe(command.headers[KafkaHeaders.correlationId]);
    const receivedAt = Number(fact.headers[KafkaHeaders.receivedAt]);
    const storedAt = Number(fact.headers[KafkaHeaders.storedAt]);
    // One machine, one clock: every time is in order, within the send's own window.
    expect(before).toBeLessThanOrEqual(command.timestamp);
    expect(command.timestamp).toBeLessThanOrEqual(receivedAt);
    expect(receivedAt).toBeLessThanOrEqual(storedAt);
    expect(storedAt).toBeLessThanOrEqual(fact.timestamp);
    expect(fact.timestamp).toBeLessThanOrEqual(acked);
  });
});
