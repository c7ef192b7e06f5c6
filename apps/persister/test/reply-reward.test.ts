import { type MessageSent, type RepliedIn24hrFirst, Topics } from '@chat/contracts';
import type { EventBus } from '@chat/event-bus';
import { oneToOneConversationId } from '@chat/storage';
import { sendStored, TestSystem, testInfra, waitFor } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partitionOf, rewardControl } from './reward-control.js';

const system = new TestSystem(testInfra());
let bus: EventBus;
const rewards: RepliedIn24hrFirst[] = [];
const rewardsOf = (conversationId: string) => rewards.filter((r) => r.conversationId === conversationId);

const connect = (userId: string) => system.connect(userId);

/**
 * "No (further) reward" is checked once a control reward that must come after any such reward has come (see
 * rewardControl): no quiet period to guess, and a broken reward pipeline fails the wait.
 */
const controlFor = (conversationId: string) =>
  rewardControl(system, rewards, partitionOf(conversationId, system.partitions));

beforeAll(async () => {
  await system.startPersister();
  await system.startGateway();
  bus = await system.eventBus('reward-test');
  await bus.subscribe({
    groupId: `${system.topicPrefix}reward-reader`,
    fromBeginning: true,
    handlers: {
      [Topics.repliedIn24hrFirst]: async (events) => {
        for (const { value } of events) rewards.push(value);
      },
    },
  });
});
afterAll(() => system.stop());

describe('replied.in.24hr.first', () => {
  it('is published once for a real reply, not for one-sided messages, and once per 24 h window', async () => {
    const [alice, bob] = await Promise.all([connect('rw-alice'), connect('rw-bob')]);
    const conversationId = oneToOneConversationId('rw-alice', 'rw-bob');
    await sendStored(alice, 'rw-bob', 'hi bob');
    await sendStored(alice, 'rw-bob', 'are you there?');
    await controlFor(conversationId);
    expect(rewardsOf(conversationId), 'one-sided messages earn nothing').toEqual([]);

    const answered = await sendStored(alice, 'rw-bob', 'last one');
    const reply = await sendStored(bob, 'rw-alice', 'yes!');
    await sendStored(bob, 'rw-alice', 'sorry, was away');
    const aliceReply = await sendStored(alice, 'rw-bob', 'no problem');
    // Bob replies again within 24 h of his reward: still one per window.
    await sendStored(bob, 'rw-alice', 'great');
    await controlFor(conversationId);

    expect(rewardsOf(conversationId)).toEqual([
      {
        eventId: reply.id,
        conversationId,
        replierId: 'rw-bob',
        repliedToId: 'rw-alice',
        messageId: reply.id,
        repliedToMessageId: answered.id,
        replyDelayMs: Date.parse(reply.createdAt) - Date.parse(answered.createdAt),
        repliedAt: Date.parse(reply.createdAt),
      },
      expect.objectContaining({ replierId: 'rw-alice', repliedToId: 'rw-bob', messageId: aliceReply.id }),
    ]);
  });

  it('is not published again when Kafka redelivers the reply or the client resends it', async () => {
    const [carol, dave] = await Promise.all([connect('rw-carol'), connect('rw-dave')]);
    await sendStored(carol, 'rw-dave', 'ping');
    const reply = await sendStored(dave, 'rw-carol', 'pong', 'dave-reply-1');
    await waitFor(() => rewards.some((r) => r.replierId === 'rw-dave'), 10_000, "dave's reward");
    await controlFor(reply.conversationId);
    expect(rewards.filter((r) => r.replierId === 'rw-dave')).toHaveLength(1);

    const redelivered: MessageSent = {
      conversationId: reply.conversationId,
      senderId: 'rw-dave',
      recipientId: 'rw-carol',
      clientMessageId: 'dave-reply-1',
      text: 'pong',
      sentAt: Date.now(),
      replyToId: null,
    };
    await bus.publish(Topics.messageSent, [{ key: reply.conversationId, value: redelivered }]);
    expect(await sendStored(dave, 'rw-carol', 'pong', 'dave-reply-1')).toEqual(reply);
    await controlFor(reply.conversationId);
    expect(rewards.filter((r) => r.replierId === 'rw-dave')).toHaveLength(1);
  });
});
