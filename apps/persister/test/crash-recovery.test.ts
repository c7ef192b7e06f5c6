import type { MessageDto } from '@chat/contracts';
import { TestSystem, testInfra } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Short timeouts so the test's clients retry quickly and a killed persister's partitions move on quickly.
const system = new TestSystem(testInfra(), { SEND_ACK_TIMEOUT_MS: '3000' });

beforeAll(async () => {
  await system.startPersister();
  await system.startGateway();
});
afterAll(async () => {
  await system.stop();
});

describe('persister killed mid-load', () => {
  it('loses and duplicates nothing that was acked, and every send is eventually acked', async () => {
    const pairs = 8;
    const messagesPerSender = 25;
    const senders = await system.clientPairs('crash-user', pairs, undefined, { sendTimeoutMs: 120_000 });

    let acked = 0;
    const killedAfter = Math.floor((pairs * 2 * messagesPerSender) / 4);
    let crash: Promise<void> | undefined;
    const acks: MessageDto[] = [];
    let ackedAfterRestart = 0;
    let restarted = false;
    await Promise.all(
      senders.map(async ({ userId, client, peer }) => {
        // Each sender sends in order (a chat client does), all senders at once.
        for (let i = 0; i < messagesPerSender; i++) {
          const message = await client.send({
            clientMessageId: `${userId}-${i}`,
            otherUserId: peer,
            text: `message ${i} from ${userId}`,
          });
          acks.push(message);
          acked += 1;
          if (restarted) ackedAfterRestart += 1;
          if (acked === killedAfter) {
            crash = (async () => {
              await system.persisters[0]?.kill();
              await system.startPersister();
              restarted = true;
            })();
          }
        }
      }),
    );
    await crash;

    const total = pairs * 2 * messagesPerSender;
    expect(acks).toHaveLength(total);
    expect(system.persisters[0]?.child.signalCode).toBe('SIGKILL');
    expect(ackedAfterRestart, 'the restarted persister should have stored the rest').toBeGreaterThan(0);

    const stored = await system.db
      .collection<{ _id: string; conversationId: string; seq: number; clientMessageId: string }>('messages')
      .find({})
      .toArray();
    expect(stored).toHaveLength(total);
    expect(new Set(stored.map((m) => m.clientMessageId)).size).toBe(total);
    // Every ack names the stored message, with the seq it really has.
    const byId = new Map(stored.map((m) => [m._id, m]));
    for (const ack of acks) expect(byId.get(ack.id)?.seq).toBe(ack.seq);
    // seq is 1..n with no gap and no repeat in every conversation.
    const seqs = new Map<string, number[]>();
    for (const m of stored) seqs.set(m.conversationId, [...(seqs.get(m.conversationId) ?? []), m.seq]);
    expect(seqs.size).toBe(pairs);
    for (const list of seqs.values()) {
      expect(list.sort((a, b) => a - b)).toEqual(
        Array.from({ length: messagesPerSender * 2 }, (_, i) => i + 1),
      );
    }
  }, 180_000);
});
