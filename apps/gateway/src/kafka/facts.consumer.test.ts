import {
  type ConversationReadPersisted,
  type EventsByTopic,
  type EventTopic,
  type GroupChangePersisted,
  KafkaHeaders,
  type MessageDto,
  type MessagePersisted,
  Topics,
  type TypingChanged,
} from '@chat/contracts';
import { messagePersisted, messageSent } from '@chat/contracts/fixtures';
import type { BatchHandlers, EventBus, IncomingEvent, SubscribeOptions } from '@chat/event-bus';
import type { ChatModels } from '@chat/storage';
import { describe, expect, it } from 'vitest';
import { FakeIo } from '../../test/support/fake-io.js';
import { ConversationMembers } from '../conversations/conversation-members.js';
import { conversationRoom } from '../rooms.js';
import { CommandRequests } from './command-requests.js';
import { consumeFacts } from './facts.consumer.js';

/**
 * The consumer over a fake Socket.IO with `connected` users' sockets, and a request table whose publishes
 * record the correlation id of each command sent, so a test can answer it.
 */
async function startConsumer(connected = ['alice', 'bob']) {
  let subscribed: SubscribeOptions | undefined;
  let deliveryGateway: string | undefined;
  const bus = {
    subscribeDeliveries: async (gatewayId: string, options: SubscribeOptions) => {
      deliveryGateway = gatewayId;
      subscribed = options;
    },
  } as unknown as EventBus;
  const io = new FakeIo();
  for (const userId of connected) io.connect(userId);
  const published: string[] = [];
  const requests = new CommandRequests({
    gatewayId: 'g1',
    bus: {
      publish: async (_topic, records) => {
        for (const record of records) published.push(record.headers?.[KafkaHeaders.correlationId] ?? '');
      },
    },
    timeoutMs: 1000,
  });
  /** Sends a command and returns the pending answer with the correlation id it went out with. */
  const send = async () => {
    const answer = requests.request(Topics.messageSent, command);
    await Promise.resolve();
    return { answer, correlationId: published.at(-1) as string };
  };
  // Never asked for a conversation in these tests: group facts tell it the members.
  const members = new ConversationMembers({} as ChatModels, 10);
  const typingChanges: TypingChanged[] = [];
  const typing = { onChanged: (change: TypingChanged) => void typingChanges.push(change) };
  await consumeFacts({
    bus,
    io: io.server,
    members,
    requests,
    typing,
    gatewayId: 'g1',
    groupId: 'gateway-g1',
  });
  return {
    typingChanges,
    handlers: subscribed?.handlers as Required<BatchHandlers>,
    subscribed,
    deliveryGateway,
    calls: io.emits,
    io,
    members,
    requests,
    send,
  };
}

const command = messageSent();

function incoming<T extends EventTopic>(value: EventsByTopic[T], headers: Record<string, string> = {}) {
  const event: IncomingEvent<T> = { key: 'k', value, headers, partition: 0, offset: '0', timestamp: 0 };
  return event;
}

const fact = messagePersisted();
const { memberIds: _routing, editedAt: _e, deletedAt: _d, replyTo: _r, ...factFields } = fact;
const dto: MessageDto = { ...factFields, createdAt: '2026-01-01T00:00:00.000Z' };
const noDeadLetters = async () => {
  throw new Error('nothing here is a dead letter');
};

describe('consumeFacts', () => {
  it("reads only new facts of its own delivery topic in the gateway's own group, without committing offsets", async () => {
    const { subscribed, deliveryGateway } = await startConsumer();
    expect(deliveryGateway).toBe('g1');
    expect(subscribed).toMatchObject({ groupId: 'gateway-g1', fromBeginning: false, commitOffsets: false });
    expect(Object.keys(subscribed?.handlers ?? {}).sort()).toEqual(
      [
        Topics.conversationReadPersisted,
        Topics.messagePersisted,
        Topics.groupChangePersisted,
        Topics.messageDeliveredPersisted,
        Topics.conversationMutePersisted,
        Topics.messageChangePersisted,
        Topics.typingChanged,
      ].sort(),
    );
  });

  it('hands the typing changes delivered here to the typing service, in order', async () => {
    const { handlers, typingChanges } = await startConsumer();
    const changes: TypingChanged[] = [true, false].map((isTyping) => ({
      conversationId: 'dm_1',
      userId: 'alice',
      isTyping,
      memberIds: ['alice', 'bob'],
      at: 1,
    }));
    await handlers[Topics.typingChanged](
      changes.map((change) => incoming<typeof Topics.typingChanged>(change)),
      noDeadLetters,
    );
    expect(typingChanges).toEqual(changes);
  });

  it('answers the waiting sender with the stored fact, and delivers it to both participants through the conversation room', async () => {
    const { handlers, calls, send, io } = await startConsumer();
    const { answer, correlationId } = await send();
    await handlers[Topics.messagePersisted](
      [incoming<typeof Topics.messagePersisted>(fact, { [KafkaHeaders.correlationId]: correlationId })],
      noDeadLetters,
    );
    await expect(answer).resolves.toEqual(fact);
    expect(calls).toEqual([[['alice', 'bob'], 'message:new', dto]]);
    expect(io.usersIn(conversationRoom('dm_1'))).toEqual(['alice', 'bob']);
  });

  it('settles a request before delivering, even when delivering fails', async () => {
    const { handlers, send } = await startConsumer();
    const { answer, correlationId } = await send();
    // A date the client DTO cannot carry: building the delivery throws.
    const broken = { ...fact, createdAt: Number.NaN };
    const delivering = handlers[Topics.messagePersisted](
      [incoming<typeof Topics.messagePersisted>(broken, { [KafkaHeaders.correlationId]: correlationId })],
      noDeadLetters,
    );
    await expect(delivering).rejects.toBeInstanceOf(RangeError);
    await expect(answer).resolves.toEqual(broken);
  });

  it("delivers a fact without this gateway's correlation id, and leaves other requests waiting", async () => {
    const { handlers, calls, requests, send } = await startConsumer();
    const { answer, correlationId } = await send();
    await handlers[Topics.messagePersisted]([incoming<typeof Topics.messagePersisted>(fact)], noDeadLetters);
    expect(calls).toEqual([[['alice', 'bob'], 'message:new', dto]]);
    expect(requests.size).toBe(1);
    // An answer on another topic with the same id settles nothing: each command waits for its own fact.
    const read = {
      conversationId: 'dm_1',
      readerId: 'bob',
      otherUserId: 'alice',
      lastReadAt: 0,
      memberIds: [],
    };
    await handlers[Topics.conversationReadPersisted](
      [
        incoming<typeof Topics.conversationReadPersisted>(read, {
          [KafkaHeaders.correlationId]: correlationId,
        }),
      ],
      noDeadLetters,
    );
    expect(requests.size).toBe(1);
    requests.settle(Topics.messagePersisted, correlationId, fact);
    await expect(answer).resolves.toEqual(fact);
  });

  it('delivers only to participants with a socket here, and skips facts of nobody here', async () => {
    const { handlers, calls } = await startConsumer(['bob']);
    await handlers[Topics.messagePersisted]([incoming<typeof Topics.messagePersisted>(fact)], noDeadLetters);
    expect(calls).toEqual([[['bob'], 'message:new', dto]]);

    const elsewhere = await startConsumer([]);
    const { answer, correlationId } = await elsewhere.send();
    await elsewhere.handlers[Topics.messagePersisted](
      [
        incoming<typeof Topics.messagePersisted>({ ...fact, seq: 2 }),
        incoming<typeof Topics.messagePersisted>(
          { ...fact, seq: 3 },
          { [KafkaHeaders.correlationId]: correlationId },
        ),
      ],
      noDeadLetters,
    );
    // The sender's socket went away, but its request still gets its answer; nothing is delivered.
    await expect(answer).resolves.toEqual({ ...fact, seq: 3 });
    expect(elsewhere.calls).toEqual([]);
    expect(elsewhere.requests.size).toBe(0);
  });

  it('delivers a replayed fact once: a seq at or below the highest delivered is skipped', async () => {
    const { handlers, calls } = await startConsumer();
    const replay = [1, 2, 1, 2, 3].map((seq) => incoming<typeof Topics.messagePersisted>({ ...fact, seq }));
    await handlers[Topics.messagePersisted](replay, noDeadLetters);
    const delivered = calls.map((call) => (call[2] as MessageDto).seq);
    expect(delivered).toEqual([1, 2, 3]);
  });

  it('pushes a read receipt to the participants through the conversation room', async () => {
    const { handlers, calls } = await startConsumer(['alice', 'bob', 'dave']);
    const marker: ConversationReadPersisted = {
      conversationId: 'dm_1',
      readerId: 'bob',
      otherUserId: 'alice',
      lastReadAt: Date.UTC(2026, 0, 2),
      memberIds: ['alice', 'bob'],
    };
    await handlers[Topics.conversationReadPersisted](
      [incoming<typeof Topics.conversationReadPersisted>(marker)],
      noDeadLetters,
    );
    const receipt = { conversationId: 'dm_1', userId: 'bob', lastReadAt: '2026-01-02T00:00:00.000Z' };
    expect(calls).toEqual([[['alice', 'bob'], 'conversation:read', receipt]]);
  });

  const groupFact: MessagePersisted = {
    ...fact,
    conversationId: 'grp_1',
    recipientId: null,
    memberIds: ['alice', 'bob', 'carol', 'erin'],
  };
  const groupDto = { ...dto, conversationId: 'grp_1', recipientId: null };

  it('delivers a group message to the members the persister named that have a socket here', async () => {
    // Dave is connected here but not a member; erin is a member connected elsewhere.
    const { handlers, calls } = await startConsumer(['alice', 'bob', 'carol', 'dave']);
    await handlers[Topics.messagePersisted](
      [incoming<typeof Topics.messagePersisted>(groupFact)],
      noDeadLetters,
    );
    expect(calls).toEqual([[['alice', 'bob', 'carol'], 'message:new', groupDto]]);
  });

  it('takes a member out of the room with the first fact that no longer names them, whichever topic comes first', async () => {
    const { handlers, calls, io } = await startConsumer(['alice', 'bob', 'carol']);
    await handlers[Topics.messagePersisted](
      [incoming<typeof Topics.messagePersisted>(groupFact)],
      noDeadLetters,
    );
    expect(io.usersIn(conversationRoom('grp_1'))).toEqual(['alice', 'bob', 'carol']);
    // Carol's removal is stored before the next message, but this gateway reads the message first.
    await handlers[Topics.messagePersisted](
      [incoming<typeof Topics.messagePersisted>({ ...groupFact, seq: 2, memberIds: ['alice', 'bob'] })],
      noDeadLetters,
    );
    expect(calls.at(-1)).toEqual([['alice', 'bob'], 'message:new', { ...groupDto, seq: 2 }]);
    expect(io.usersIn(conversationRoom('grp_1'))).toEqual(['alice', 'bob']);
  });

  const change: GroupChangePersisted = {
    conversationId: 'grp_1',
    actorId: 'alice',
    action: 'remove',
    userIds: ['carol'],
    name: 'team',
    participants: [
      { userId: 'alice', role: 'admin', lastReadAt: null, lastDeliveredSeq: 0 },
      { userId: 'bob', role: 'member', lastReadAt: Date.UTC(2026, 0, 3), lastDeliveredSeq: 2 },
    ],
    createdAt: Date.UTC(2026, 0, 1),
    refusal: null,
  };

  it('tells the members after a change and the removed member, with the new participants, and empties the room of the removed', async () => {
    const { handlers, calls, members, io } = await startConsumer(['alice', 'bob', 'carol']);
    await handlers[Topics.messagePersisted](
      [incoming<typeof Topics.messagePersisted>(groupFact)],
      noDeadLetters,
    );
    await handlers[Topics.groupChangePersisted](
      [incoming<typeof Topics.groupChangePersisted>(change)],
      noDeadLetters,
    );
    expect(calls.at(-1)).toEqual([
      ['alice', 'bob', 'carol'],
      'conversation:updated',
      {
        conversationId: 'grp_1',
        kind: 'group',
        name: 'team',
        change: 'remove',
        actorId: 'alice',
        userIds: ['carol'],
        participants: [
          { userId: 'alice', role: 'admin', lastReadAt: null, lastDeliveredSeq: 0 },
          { userId: 'bob', role: 'member', lastReadAt: '2026-01-03T00:00:00.000Z', lastDeliveredSeq: 2 },
        ],
        createdAt: '2026-01-01T00:00:00.000Z',
      },
    ]);
    expect(io.usersIn(conversationRoom('grp_1'))).toEqual(['alice', 'bob']);
    // The members this gateway checks against are the stored ones, without a database read.
    await expect(members.require('grp_1', 'bob')).resolves.toEqual({
      kind: 'group',
      participantIds: ['alice', 'bob'],
    });
  });

  it('tells nobody of a refused change', async () => {
    const { handlers, calls } = await startConsumer();
    const refused = { ...change, participants: [], refusal: 'notAGroupAdmin' };
    await handlers[Topics.groupChangePersisted](
      [incoming<typeof Topics.groupChangePersisted>(refused)],
      noDeadLetters,
    );
    expect(calls).toEqual([]);
  });
});
