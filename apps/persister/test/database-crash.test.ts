import type { MessageDto } from '@chat/contracts';
import { PrivateDatabase, TestSystem, testInfra } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The database SIGKILLed under a steady send load, then restarted on its data: every message acked before the
 * crash is still stored afterwards. The ack means "durably stored"; this is the test that holds us to it.
 */
const database = await PrivateDatabase.start();
const system = new TestSystem({ ...testInfra(), mongodbUri: database.uri }, { SEND_ACK_TIMEOUT_MS: '3000' });

beforeAll(async () => {
  await system.startPersister();
  await system.startGateway();
});
afterAll(async () => {
  await system.stop();
  await database.stop();
});

describe('database killed mid-load', () => {
  it('keeps every acked message across a SIGKILL and restart of the database', async () => {
    const pairs = 6;
    const messagesPerSender = 30;
    const senders = await system.clientPairs('db-crash', pairs, undefined, { sendTimeoutMs: 120_000 });

    const acks: MessageDto[] = [];
    const ackedBeforeCrash: MessageDto[] = [];
    const killAfter = Math.floor((pairs * 2 * messagesPerSender) / 3);
    let crash: Promise<void> | undefined;
    let crashed = false;
    await Promise.all(
      senders.map(async ({ userId, client, peer }) => {
        for (let i = 0; i < messagesPerSender; i++) {
          const message = await client.send({
            clientMessageId: `${userId}-${i}`,
            otherUserId: peer,
            text: `message ${i} from ${userId}`,
          });
          acks.push(message);
          if (!crashed) ackedBeforeCrash.push(message);
          if (acks.length === killAfter) {
            crashed = true;
            crash = (async () => {
              await database.kill();
              await database.restart();
            })();
          }
        }
      }),
    );
    await crash;

    const total = pairs * 2 * messagesPerSender;
    expect(acks).toHaveLength(total);
    expect(ackedBeforeCrash.length).toBeGreaterThanOrEqual(killAfter);

    // The test system's own client reads the private database (it reconnected after the restart).
    const stored = await system.db
      .collection<{ _id: string; conversationId: string; seq: number }>('messages')
      .find({})
      .toArray();
    const byId = new Map(stored.map((m) => [m._id, m]));
    const lostBeforeCrash = ackedBeforeCrash.filter((ack) => byId.get(ack.id)?.seq !== ack.seq);
    expect(lostBeforeCrash, 'acked before the crash, missing or renumbered after it').toEqual([]);
    expect(stored).toHaveLength(total);
    for (const ack of acks) expect(byId.get(ack.id)?.seq).toBe(ack.seq);
    const seqs = new Map<string, number[]>();
    for (const m of stored) seqs.set(m.conversationId, [...(seqs.get(m.conversationId) ?? []), m.seq]);
    for (const list of seqs.values()) {
      expect(list.sort((a, b) => a - b)).toEqual(
        Array.from({ length: messagesPerSender * 2 }, (_, i) => i + 1),
      );
    }
  }, 240_000);
});
