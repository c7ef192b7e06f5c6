import { randomUUID } from 'node:crypto';
import { type ConversationDto, type MessageDto, type RepliedIn24hrFirst, Topics } from '@chat/contracts';
import { oneToOneConversationId } from '@chat/storage';
import {
  type AppProcess,
  type ChatClient,
  type ChatSocket,
  metricSample,
  mintToken,
  scrapeMetrics,
  TestSystem,
  testInfra,
  waitFor,
} from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partitionOf, rewardControl } from './reward-control.js';

/**
 * Three gateways and three persisters in one group over six partitions, under a steady load while persisters
 * come and go: one SIGKILLed, a fourth started, then that one stopped gracefully. Partitions move three times while
 * conversations are being written; afterwards the database and every client's deliveries must be exact.
 */
const PARTITIONS = 6;
const system = new TestSystem(testInfra(), {
  KAFKA_PARTITIONS: String(PARTITIONS),
  SEND_ACK_TIMEOUT_MS: '3000',
});
const rewards: RepliedIn24hrFirst[] = [];

beforeAll(async () => {
  for (let i = 0; i < 3; i++) await system.startPersister();
  for (let i = 0; i < 3; i++) await system.startGateway();
  // Topics exist by now (the apps create them with six partitions).
  const rewardReader = await system.eventBus('scale-out-test');
  await rewardReader.subscribe({
    groupId: `${system.topicPrefix}reward-reader`,
    fromBeginning: true,
    handlers: {
      [Topics.repliedIn24hrFirst]: async (events) => {
        for (const { value } of events) rewards.push(value);
      },
    },
  });
}, 180_000);
afterAll(async () => {
  await system.stop();
});

const persister = (index: number) => system.persisters[index] as AppProcess;

/** Batches a persister has stored, from its /metrics. */
const batchesStored = async (app: AppProcess) =>
  metricSample(await scrapeMetrics(app), 'chat_persister_batch_size_count') ?? 0;

/** A run id whose pairs' conversations land on every partition, so each persister's share carries load. */
function runCoveringEveryPartition(pairs: number): string {
  for (;;) {
    const run = randomUUID().slice(0, 6);
    const covered = new Set(
      Array.from({ length: pairs }, (_, pair) =>
        partitionOf(oneToOneConversationId(`so-${run}-${2 * pair}`, `so-${run}-${2 * pair + 1}`), PARTITIONS),
      ),
    );
    if (covered.size === PARTITIONS) return run;
  }
}

interface User {
  userId: string;
  peer: string;
  /** Sends, through the client library. */
  client: ChatClient;
  /** A raw socket beside it, on the same gateway: what the gateway delivers, before any client de-duplication. */
  socket: ChatSocket;
  received: MessageDto[];
}

describe('scale-out: 3 gateways, 3→2→3→2 persisters, 6 partitions', () => {
  it('stores, numbers, delivers and rewards every message exactly once while partitions move', async () => {
    const pairs = 12;
    const run = runCoveringEveryPartition(pairs);
    // A pair's two users sit on different gateways.
    const gatewayOf = (index: number) => system.gateways[index % 3];
    const [connected, sockets] = await Promise.all([
      system.clientPairs(`so-${run}`, pairs, gatewayOf, { sendTimeoutMs: 300_000 }),
      system.connectPairs(`so-${run}`, pairs, gatewayOf),
    ]);
    const users: User[] = connected.map((user, index) => {
      const received: MessageDto[] = [];
      const socket = sockets[index]?.client as ChatSocket;
      socket.on('message:new', (message) => received.push(message));
      return { ...user, socket, received };
    });

    const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const acks: MessageDto[] = [];
    // Every conversation was acked again since `since` acks: its partition has a live owner that stores.
    const conversations = [...new Set(users.map(({ userId, peer }) => oneToOneConversationId(userId, peer)))];
    const everyConversationFlowsSince = (since: number) => {
      const flowing = new Set(acks.slice(since).map((ack) => ack.conversationId));
      return conversations.every((conversationId) => flowing.has(conversationId));
    };
    // The membership changes, one after another, each once the one before has taken effect.
    let changesDone = false;
    const changes = (async () => {
      await waitFor(() => everyConversationFlowsSince(0), 60_000, 'the load flowing');
      await persister(0).kill();
      const killedAt = acks.length;
      await waitFor(
        () => everyConversationFlowsSince(killedAt),
        60_000,
        'the group rebalanced after the kill',
      );
      await system.startPersister();
      await waitFor(
        async () => (await batchesStored(persister(3))) > 0,
        60_000,
        'the fourth persister storing',
      );
      // The fourth hands its partitions back to the persisters that wrote them before it: their remembered
      // heads are stale unless they forgot them when the partitions moved.
      await persister(3).stop();
      changesDone = true;
    })();
    // Each user sends at a steady pace until the changes are over, then a few more.
    const sentBy = new Map<string, number>();
    await Promise.all(
      users.map(async ({ userId, peer, client }) => {
        let afterChanges = 0;
        for (let i = 0; afterChanges < 5; i++) {
          const message = await client.send({
            clientMessageId: `${userId}-${i}`,
            otherUserId: peer,
            text: `${i} from ${userId}`,
          });
          acks.push(message);
          sentBy.set(userId, i + 1);
          if (changesDone) afterChanges += 1;
          await pause(150);
        }
      }),
    );
    await changes;
    const total = acks.length;
    const sent = (userId: string) => sentBy.get(userId) ?? 0;
    expect(system.persisters[0]?.child.signalCode).toBe('SIGKILL');
    expect(system.persisters[3]?.child.exitCode).toBe(0);
    // No zombie writer in this run (the killed one is dead, the stopped one finished first): a write conflict
    // could only come from a persister numbering from a head it should have forgotten.
    const conflicts = system.persisters
      .flatMap((p) => p.logs)
      .filter((l) => l.msg === 'write conflict, batch retried');
    expect(conflicts, 'write conflicts').toEqual([]);

    // Stored exactly once, as acked, seq 1..n in every conversation, and the conversation's head agrees.
    const stored = await system.db
      .collection<
        MessageDto & { _id: string; createdAt: Date; replyReward?: { repliedToMessageId: string } }
      >('messages')
      .find({})
      .sort({ seq: 1 })
      .toArray();
    expect(stored).toHaveLength(total);
    expect(new Set(stored.map((m) => `${m.senderId}/${m.clientMessageId}`)).size).toBe(total);
    const byId = new Map(stored.map((m) => [m._id, m]));
    for (const ack of acks) expect(byId.get(ack.id)?.seq).toBe(ack.seq);
    const byConversation = new Map<string, typeof stored>();
    for (const m of stored)
      byConversation.set(m.conversationId, [...(byConversation.get(m.conversationId) ?? []), m]);
    expect(byConversation.size).toBe(pairs);
    for (const [conversationId, messages] of byConversation) {
      const count = sent(messages[0]?.senderId as string) + sent(messages[0]?.recipientId as string);
      expect(messages.map((m) => m.seq)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
      const conversation = await system.db
        .collection<{ _id: string; lastSeq: number; lastMessage: { id: string; seq: number } }>(
          'conversations',
        )
        .findOne({ _id: conversationId });
      expect(conversation).toMatchObject({ lastSeq: count, lastMessage: { seq: count } });
      expect(conversation?.lastMessage.id).toBe(messages.at(-1)?._id);
    }

    // Every socket got every message of its conversation (both directions) exactly once.
    const expectedFor = (user: User) =>
      stored.filter((m) => m.senderId === user.userId || m.recipientId === user.userId).map((m) => m._id);
    await waitFor(
      () => users.every((user) => new Set(user.received.map((m) => m.id)).size === expectedFor(user).length),
      30_000,
      'every delivery',
    );
    for (const user of users) {
      expect(user.received.map((m) => m.id).sort(), `deliveries to ${user.userId}`).toEqual(
        expectedFor(user).sort(),
      );
    }

    // Unread counts: nobody has read anything, so each side's unread count is the other side's messages.
    const gateway = system.url(system.gateways[1]);
    for (const user of users.slice(0, 4)) {
      const response = await fetch(`${gateway}/api/v1/chat/convo/one-to-one?otherUserId=${user.peer}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${mintToken(user.userId)}` },
      });
      const { conversation } = (await response.json()) as { conversation: ConversationDto };
      expect(conversation.unreadCount).toBe(sent(user.peer));
      expect(conversation.lastMessage?.seq).toBe(sent(user.peer) + sent(user.userId));
    }

    // Rewards: decided once per stored reply, and each published, at least once: a persister killed, or a
    // partition moved, between a reward's publish and its "published" mark publishes it again, which is why
    // consumers de-duplicate by eventId (docs/protocol.md). A control reward on every partition, after all the
    // load, stands for "every reward there is to read has been read".
    const rewarded = stored.filter((m) => m.replyReward?.repliedToMessageId).map((m) => m._id);
    expect(rewarded.length).toBeGreaterThan(0);
    const controls = new Set<string>();
    for (let partition = 0; partition < PARTITIONS; partition++)
      controls.add(await rewardControl(system, rewards, partition));
    const published = rewards.map((r) => r.messageId).filter((id) => !controls.has(id));
    expect([...new Set(published)].sort()).toEqual(rewarded.sort());
  }, 300_000);
});
