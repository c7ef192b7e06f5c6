import { randomUUID } from 'node:crypto';
import type { AppProcess } from '@chat/testkit';
import { connectClient, mintToken, sendMessage, TestSystem, testInfra, waitFor } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * A user's limits hold for the user as a whole, not once per gateway: two gateways with the same limits give a
 * user connected to both one socket cap and one send allowance between them. Limits are set low so the
 * floods stay small.
 */
const system = new TestSystem(testInfra());
const SEND_RATE = 2;
const SEND_BURST = 6;
const limits = {
  SEND_RATE_PER_USER: String(SEND_RATE),
  SEND_BURST_PER_USER: String(SEND_BURST),
  MAX_SOCKETS_PER_USER: '2',
};
let user = 0;
const newUser = (name: string) => `${name}-${++user}-${system.database.slice(-8)}`;
const gateway = (index: number) => system.gateways[index] as AppProcess;

beforeAll(async () => {
  await system.startPersister();
  await system.startGateway(limits);
  await system.startGateway(limits);
}, 120_000);

afterAll(() => system.stop());

/** Connects `userId` once to the gateway: the refusal's code, or `connected` (then closed again). */
async function tryConnect(index: number, userId: string): Promise<string> {
  try {
    const client = await connectClient(system.url(gateway(index)), { token: mintToken(userId) });
    client.close();
    return 'connected';
  } catch (error) {
    return (error as { data?: { code?: string } }).data?.code ?? String(error);
  }
}

/**
 * Waits until the gateway counts the user's sockets on the other gateway: it learns them from the
 * `presence.connection` records, a moment after they connected, and until then it still accepts one more.
 */
async function refusedAt(index: number, userId: string): Promise<string> {
  let outcome = 'connected';
  await waitFor(
    async () => {
      outcome = await tryConnect(index, userId);
      if (outcome === 'connected') await new Promise((resolve) => setTimeout(resolve, 200));
      return outcome !== 'connected';
    },
    20_000,
    `gateway ${index} to refuse ${userId}`,
  );
  return outcome;
}

describe('limits across gateways', () => {
  it("caps a user's sockets across gateways: one on each of two, with a cap of two, is the cap on both", async () => {
    const alice = newUser('alice');
    await system.connect(alice, gateway(0));
    await system.connect(alice, gateway(1));
    expect(await refusedAt(0, alice)).toBe('TOO_MANY_CONNECTIONS');
    expect(await refusedAt(1, alice)).toBe('TOO_MANY_CONNECTIONS');
    // Only alice's sockets count against alice.
    expect(await tryConnect(0, newUser('bob'))).toBe('connected');
    expect(await tryConnect(1, newUser('bob'))).toBe('connected');
  });

  it('gives a user connected to two gateways one send allowance between them, not one each', async ({
    annotate,
  }) => {
    const alice = newUser('alice');
    const bob = newUser('bob');
    const sockets = [await system.connect(alice, gateway(0)), await system.connect(alice, gateway(1))];
    // Both gateways count alice's socket on the other one (the cap of two is reached on each).
    for (const index of [0, 1]) expect(await refusedAt(index, alice)).toBe('TOO_MANY_CONNECTIONS');

    const started = Date.now();
    let lastRefusalAt = started;
    const perSocket = 4 * SEND_BURST;
    const acks = await Promise.all(
      sockets.flatMap((socket, index) =>
        Array.from({ length: perSocket }, (_, i) =>
          sendMessage(socket, {
            clientMessageId: randomUUID(),
            otherUserId: bob,
            text: `${index}-${i}`,
          }).then((ack) => {
            if (!ack.ok) lastRefusalAt = Date.now();
            return { socket: index, ack };
          }),
        ),
      ),
    );
    const stored = acks.filter(({ ack }) => ack.ok);
    const limited = acks.filter(({ ack }) => !ack.ok && ack.error.code === 'RATE_LIMITED');
    expect(stored.length + limited.length).toBe(acks.length);
    // The gateways decided every send by the last refusal: the allowance is one burst plus what one user's
    // rate refills in that time. One allowance per gateway would store two bursts and twice the refill.
    const decidedWithinS = (lastRefusalAt - started) / 1000;
    const allowance = SEND_BURST + Math.ceil(SEND_RATE * decidedWithinS);
    annotate(
      `${stored.length} of ${acks.length} sends stored from two gateways in ${decidedWithinS.toFixed(2)} s ` +
        `(one user's allowance: ${allowance}; one per gateway: ${2 * SEND_BURST}+)`,
    );
    expect(stored.length).toBeLessThanOrEqual(allowance);
    // Each gateway gives its share: neither socket is shut out.
    for (const index of [0, 1]) expect(stored.some((sent) => sent.socket === index)).toBe(true);
  });
});
