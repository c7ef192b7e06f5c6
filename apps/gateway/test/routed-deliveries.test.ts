import { randomUUID } from 'node:crypto';
import { deliveryTopic, type MessageDto, type MessagePageResponse, type TypingDto } from '@chat/contracts';
import { oneToOneConversationId } from '@chat/storage';
import {
  type AppProcess,
  type ChatSocket,
  createGroup,
  emitWithAck,
  mintToken,
  nextMessage,
  sendStored,
  TestSystem,
  testInfra,
  waitFor,
} from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Facts are routed: each gateway reads only the facts told to a user with a socket on it (and the answers to its
 * own commands), once per fact however many of its users it concerns.
 */
const system = new TestSystem(testInfra());
const ids = { a: `${system.database.slice(-8)}-a`, b: `${system.database.slice(-8)}-b` };
let user = 0;
const newUser = (name: string) => `${name}-${++user}-${system.database.slice(-8)}`;
const gateway = (index: number) => system.gateways[index] as AppProcess;
const deliveredTo = (gatewayId: string) => system.recordsIn(deliveryTopic(gatewayId));

beforeAll(async () => {
  await system.startPersister();
  await system.startGateway({ GATEWAY_ID: ids.a });
  await system.startGateway({ GATEWAY_ID: ids.b });
}, 120_000);

afterAll(() => system.stop());

/**
 * Sends from `from` to `to` until `to`'s socket gets a push: from then on the persister routes `to`'s facts to
 * the gateway it is connected to (it learns that from the presence records, a moment after the connection).
 */
async function untilRouted(from: ChatSocket, fromId: string, to: ChatSocket, toId: string): Promise<void> {
  await untilSeen(
    () => sendStored(from, toId, 'route probe'),
    () => nextMessage(to),
    500,
    `a push from ${fromId} to ${toId}`,
  );
}

/** Repeats `attempt` until what `seen` waits for shows within `windowMs` of an attempt (20 s at most). */
async function untilSeen(
  attempt: () => Promise<unknown>,
  seen: () => Promise<unknown>,
  windowMs: number,
  what: string,
): Promise<void> {
  await waitFor(
    async () => {
      const shown = seen();
      await attempt();
      return Promise.race([
        shown.then(() => true),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), windowMs)),
      ]);
    },
    20_000,
    what,
  );
}

/** Resolves with the next `typing` event `client` is told of. */
function nextTyping(client: ChatSocket): Promise<TypingDto> {
  return new Promise((resolve) => client.once('typing', resolve));
}

/** Resolves with the next `count` messages `client` is pushed. */
function pushes(client: ChatSocket, count: number): Promise<MessageDto[]> {
  const received: MessageDto[] = [];
  return new Promise((resolve) => {
    const listener = (message: MessageDto) => {
      received.push(message);
      if (received.length < count) return;
      client.off('message:new', listener);
      resolve(received);
    };
    client.on('message:new', listener);
  });
}

async function history(userId: string, otherUserId: string, after: number): Promise<MessageDto[]> {
  const messages: MessageDto[] = [];
  let cursor: number | null = after;
  while (cursor !== null) {
    const response = await fetch(
      `${system.url(gateway(1))}/api/v1/chat/convo/one-to-one/message?otherUserId=${otherUserId}&after=${cursor}&limit=100`,
      { headers: { authorization: `Bearer ${mintToken(userId)}` } },
    );
    const page = (await response.json()) as MessagePageResponse;
    // Bob hid nothing: every entry is a message.
    messages.push(...page.messages.filter((message): message is MessageDto => !('hiddenForMe' in message)));
    cursor = page.nextCursor;
  }
  return messages;
}

describe('routed deliveries', () => {
  it('gives a gateway only the facts of its own users, once per fact, group messages included', async ({
    annotate,
  }) => {
    const [alice, bob, carol, dave, erin] = ['alice', 'bob', 'carol', 'dave', 'erin'].map(newUser) as [
      string,
      string,
      string,
      string,
      string,
    ];
    // Alice and bob on gateway a; carol, dave and erin on gateway b.
    const [aliceClient, bobClient] = [
      await system.connect(alice, gateway(0)),
      await system.connect(bob, gateway(0)),
    ];
    const [carolClient, daveClient, erinClient] = [
      await system.connect(carol, gateway(1)),
      await system.connect(dave, gateway(1)),
      await system.connect(erin, gateway(1)),
    ];
    await untilRouted(aliceClient, alice, bobClient, bob);
    await untilRouted(aliceClient, alice, carolClient, carol);
    const conversation = await createGroup(aliceClient, [carol, dave, erin]);
    await untilRouted(carolClient, carol, daveClient, dave);
    await untilRouted(carolClient, carol, erinClient, erin);
    const before = { a: await deliveredTo(ids.a), b: await deliveredTo(ids.b) };

    // 5 messages between two users of gateway a: none for gateway b.
    const bobGets = pushes(bobClient, 5);
    for (let i = 0; i < 5; i++) await sendStored(aliceClient, bob, `a-to-a ${i}`);
    await bobGets;
    // 3 from a to b: both gateways get each once.
    const carolGets = pushes(carolClient, 3);
    for (let i = 0; i < 3; i++) await sendStored(aliceClient, carol, `a-to-b ${i}`);
    await carolGets;
    // 2 group messages from dave (b) to alice (a), carol, dave, erin (b): each gateway gets each once.
    const erinGets = pushes(erinClient, 2);
    const aliceGets = pushes(aliceClient, 2);
    for (let i = 0; i < 2; i++) {
      const ack = await daveClient.timeout(20_000).emitWithAck('message:send', {
        clientMessageId: randomUUID(),
        conversationId: conversation.id,
        text: `group ${i}`,
      });
      expect(ack.ok).toBe(true);
    }
    await Promise.all([erinGets, aliceGets]);

    const read = { a: (await deliveredTo(ids.a)) - before.a, b: (await deliveredTo(ids.b)) - before.b };
    annotate(`delivery records: gateway a ${read.a} (of 10 facts), gateway b ${read.b}`);
    expect(read).toEqual({ a: 5 + 3 + 2, b: 3 + 2 });
  });

  it('delivers every message once, by push or by catch-up, to a user who moves between gateways mid-stream', async ({
    annotate,
  }) => {
    const [alice, bob] = [newUser('alice'), newUser('bob')];
    const aliceClient = await system.connect(alice, gateway(0));
    let bobClient = await system.connect(bob, gateway(0));
    await untilRouted(aliceClient, alice, bobClient, bob);
    const pushed = new Map<number, number>();
    const fetched = new Set<number>();
    const collect = (client: ChatSocket) =>
      client.on('message:new', (message) => pushed.set(message.seq, (pushed.get(message.seq) ?? 0) + 1));
    collect(bobClient);
    const seen = () => new Set([...pushed.keys(), ...fetched]);

    const total = 40;
    const sending = (async () => {
      for (let i = 1; i <= total; i++) {
        await sendStored(aliceClient, bob, `stream ${i}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    })();
    // Mid-stream, bob moves: his socket on gateway a closes, one on gateway b opens and catches up from the last
    // seq it saw, as @chat/client does after every connection.
    await waitFor(() => pushed.size >= total / 4, 20_000, 'a quarter of the stream');
    bobClient.close();
    bobClient = await system.connect(bob, gateway(1));
    collect(bobClient);
    const onConnect = await history(bob, alice, Math.max(0, ...seen()));
    for (const message of onConnect) fetched.add(message.seq);
    await sending;
    // A message pushed while the persister did not yet know bob's new gateway reaches him by catch-up: the next
    // message he is pushed shows the gap, and he fetches what he lacks (as @chat/client does).
    const last = nextMessage(bobClient);
    await sendStored(aliceClient, bob, 'last');
    const lastSeq = (await last).seq;
    const beforeGapFill = seen().size;
    for (const message of await history(bob, alice, 0)) {
      if (!seen().has(message.seq)) fetched.add(message.seq);
    }
    annotate(
      `${lastSeq} messages: ${pushed.size} pushed, ${onConnect.length} fetched on connect, ` +
        `${lastSeq - beforeGapFill} fetched at the gap; pushed twice: ${[...pushed.values()].filter((n) => n > 1).length}`,
    );
    expect([...seen()].sort((x, y) => x - y)).toEqual(Array.from({ length: lastSeq }, (_, i) => i + 1));
    // No message is pushed twice, whichever gateway pushed it.
    expect([...pushed.values()].every((count) => count === 1)).toBe(true);
  });

  it("gives a typing change only to the gateways holding the conversation's members, and its own", async ({
    annotate,
  }) => {
    const [alice, bob, carol] = ['alice', 'bob', 'carol'].map(newUser) as [string, string, string];
    // Alice and bob on gateway a, carol on gateway b.
    const [aliceClient, bobClient] = [
      await system.connect(alice, gateway(0)),
      await system.connect(bob, gateway(0)),
    ];
    const carolClient = await system.connect(carol, gateway(1));
    // A push to each makes the conversations; the typing probe then waits until gateway a's own presence view
    // holds carol on gateway b (the typing gateway routes by its view, not the persister's).
    await untilRouted(aliceClient, alice, bobClient, bob);
    await untilRouted(aliceClient, alice, carolClient, carol);
    const withCarol = { conversationId: oneToOneConversationId(alice, carol) };
    await untilSeen(
      async () => {
        await emitWithAck(aliceClient, 'typing:start', withCarol);
        await emitWithAck(aliceClient, 'typing:stop', withCarol);
      },
      () => nextTyping(carolClient),
      // Two typing events a second at most: under the per-socket typing limit (10 per 5 s).
      1000,
      `alice's typing shown to carol across gateways`,
    );
    const before = { a: await deliveredTo(ids.a), b: await deliveredTo(ids.b) };

    // Alice types to bob (both on gateway a): nothing for gateway b.
    const bobSees = nextTyping(bobClient);
    expect(
      await emitWithAck(aliceClient, 'typing:start', { conversationId: oneToOneConversationId(alice, bob) }),
    ).toEqual({
      ok: true,
    });
    expect(await bobSees).toMatchObject({ userId: alice, isTyping: true });
    // Then to carol (gateway b): one copy each.
    const carolSees = nextTyping(carolClient);
    expect(
      await emitWithAck(aliceClient, 'typing:start', {
        conversationId: oneToOneConversationId(alice, carol),
      }),
    ).toEqual({ ok: true });
    expect(await carolSees).toMatchObject({ userId: alice, isTyping: true });

    const read = { a: (await deliveredTo(ids.a)) - before.a, b: (await deliveredTo(ids.b)) - before.b };
    annotate(`typing records: gateway a ${read.a} (of 2 changes), gateway b ${read.b}`);
    expect(read).toEqual({ a: 2, b: 1 });
  });
});
