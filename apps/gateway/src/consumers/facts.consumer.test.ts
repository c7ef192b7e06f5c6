import {
  type ConversationReadPersisted,
  type DeliveredReceiptDto,
  type EventsByTopic,
  type EventTopic,
  type GroupChangePersisted,
  KafkaHeaders,
  type MessageDto,
  type MessagePersisted,
  type ReadReceiptDto,
  Topics,
} from '@chat/contracts';
import type { BatchHandlers, EventBus, IncomingEvent, SubscribeOptions } from '@chat/event-bus';
import type { ChatModels } from '@chat/storage';
import { describe, expect, it } from 'vitest';
import { ConversationMembers } from '../groups/conversation-members.js';
import { PendingReplies } from '../messaging/pending-replies.js';
import type { ChatServer } from '../socket/server.js';
import { consumeFacts } from './facts.consumer.js';

/** What the consumer asked Socket.IO to do, in order. */
type IoCall = ['join', string[], string] | ['emit', string[], string, unknown];

/**
 * Records the rooms and emits the consumer asks for; the adapter's own behaviour is Socket.IO's. `localRooms`
 * are the rooms that have a socket on this gateway.
 */
function recordingIo(calls: IoCall[], localRooms: string[]): ChatServer {
  const rooms = (value: string | string[]) => (Array.isArray(value) ? value : [value]);
  return {
    sockets: { adapter: { rooms: new Map(localRooms.map((room) => [room, new Set(['socket-id'])])) } },
    in: (value: string | string[]) => ({
      socketsJoin: (room: string) => calls.push(['join', rooms(value), room]),
    }),
    to: (value: string | string[]) => ({
      emit: (event: string, body: unknown) => calls.push(['emit', rooms(value), event, body]),
    }),
  } as unknown as ChatServer;
}

async function startConsumer(localRooms = ['user:alice', 'user:bob']) {
  let subscribed: SubscribeOptions | undefined;
  const bus = {
    subscribe: async (options: SubscribeOptions) => {
      subscribed = options;
    },
  } as unknown as EventBus;
  const calls: IoCall[] = [];
  const pendingSends = new PendingReplies<MessageDto>(1000, 'sendNotConfirmed');
  const pendingReads = new PendingReplies<ReadReceiptDto>(1000, 'readNotConfirmed');
  const pendingGroupChanges = new PendingReplies<GroupChangePersisted>(1000, 'groupChangeNotConfirmed');
  const pendingDeliveries = new PendingReplies<DeliveredReceiptDto>(1000, 'deliveredNotConfirmed');
  // Never asked for a conversation in these tests: group facts tell it the members.
  const members = new ConversationMembers({} as ChatModels, 10);
  const io = recordingIo(calls, localRooms);
  await consumeFacts({
    bus,
    io,
    members,
    pendingSends,
    pendingReads,
    pendingGroupChanges,
    pendingDeliveries,
    groupId: 'gateway-g1',
  });
  return {
    handlers: subscribed?.handlers as Required<BatchHandlers>,
    subscribed,
    calls,
    members,
    pendingSends,
    pendingReads,
    pendingGroupChanges,
  };
}

function incoming<T extends EventTopic>(value: EventsByTopic[T], headers: Record<string, string> = {}) {
  const event: IncomingEvent<T> = { key: 'k', value, headers, partition: 0, offset: '0', timestamp: 0 };
  return event;
}

const fact: MessagePersisted = {
  id: 'msg_1',
  conversationId: 'dm_1',
  senderId: 'alice',
  recipientId: 'bob',
  clientMessageId: 'c1',
  text: 'hi',
  seq: 1,
  createdAt: Date.UTC(2026, 0, 1),
  memberIds: ['alice', 'bob'],
};
const { memberIds: _routing, ...factFields } = fact;
const dto: MessageDto = { ...factFields, createdAt: '2026-01-01T00:00:00.000Z' };
const noDeadLetters = async () => {
  throw new Error('nothing here is a dead letter');
};

describe('consumeFacts', () => {
  it("reads only new facts in the gateway's own group, without committing offsets", async () => {
    const { subscribed } = await startConsumer();
    expect(subscribed).toMatchObject({ groupId: 'gateway-g1', fromBeginning: false, commitOffsets: false });
    expect(Object.keys(subscribed?.handlers ?? {}).sort()).toEqual(
      [
        Topics.conversationReadPersisted,
        Topics.messagePersisted,
        Topics.groupChangePersisted,
        Topics.messageDeliveredPersisted,
      ].sort(),
    );
  });

  it('acks the waiting sender with the DTO, then delivers it to both participants through the conversation room', async () => {
    const { handlers, calls, pendingSends } = await startConsumer();
    const waiting = pendingSends.wait('corr-1');
    await handlers[Topics.messagePersisted](
      [incoming<typeof Topics.messagePersisted>(fact, { [KafkaHeaders.correlationId]: 'corr-1' })],
      noDeadLetters,
    );
    await expect(waiting).resolves.toEqual(dto);
    expect(calls).toEqual([
      ['join', ['user:alice', 'user:bob'], 'conversation:dm_1'],
      ['emit', ['conversation:dm_1'], 'message:new', dto],
    ]);
  });

  it("delivers a fact without this gateway's correlation id, and leaves other waiters alone", async () => {
    const { handlers, calls, pendingSends } = await startConsumer();
    const other = pendingSends.wait('corr-other');
    await handlers[Topics.messagePersisted]([incoming<typeof Topics.messagePersisted>(fact)], noDeadLetters);
    expect(calls.at(-1)).toEqual(['emit', ['conversation:dm_1'], 'message:new', dto]);
    expect(pendingSends.size).toBe(1);
    pendingSends.settle('corr-other', dto);
    await other;
  });

  it('joins and delivers only to participants with a socket here, and skips facts of nobody here', async () => {
    const { handlers, calls, pendingSends } = await startConsumer(['user:bob']);
    await handlers[Topics.messagePersisted]([incoming<typeof Topics.messagePersisted>(fact)], noDeadLetters);
    expect(calls).toEqual([
      ['join', ['user:bob'], 'conversation:dm_1'],
      ['emit', ['conversation:dm_1'], 'message:new', dto],
    ]);

    const elsewhere = await startConsumer([]);
    const waiting = elsewhere.pendingSends.wait('corr-3');
    await elsewhere.handlers[Topics.messagePersisted](
      [
        incoming<typeof Topics.messagePersisted>({ ...fact, seq: 2 }),
        incoming<typeof Topics.messagePersisted>(
          { ...fact, seq: 3 },
          { [KafkaHeaders.correlationId]: 'corr-3' },
        ),
      ],
      noDeadLetters,
    );
    // The sender's socket went away, but its request still gets its answer; nothing is delivered.
    await expect(waiting).resolves.toEqual({ ...dto, seq: 3 });
    expect(elsewhere.calls).toEqual([]);
    expect(pendingSends.size).toBe(0);
  });

  it('delivers a replayed fact once: a seq at or below the highest delivered is skipped', async () => {
    const { handlers, calls } = await startConsumer();
    const replay = [1, 2, 1, 2, 3].map((seq) => incoming<typeof Topics.messagePersisted>({ ...fact, seq }));
    await handlers[Topics.messagePersisted](replay, noDeadLetters);
    const delivered = calls.filter((call) => call[0] === 'emit').map((call) => (call[3] as MessageDto).seq);
    expect(delivered).toEqual([1, 2, 3]);
  });

  it("acks the reader with the stored marker and pushes the receipt to both participants' user rooms", async () => {
    const { handlers, calls, pendingReads } = await startConsumer();
    const marker: ConversationReadPersisted = {
      conversationId: 'dm_1',
      readerId: 'bob',
      otherUserId: 'alice',
      lastReadAt: Date.UTC(2026, 0, 2),
      memberIds: ['alice', 'bob'],
    };
    const receipt = { conversationId: 'dm_1', userId: 'bob', lastReadAt: '2026-01-02T00:00:00.000Z' };
    const waiting = pendingReads.wait('corr-2');
    await handlers[Topics.conversationReadPersisted](
      [incoming<typeof Topics.conversationReadPersisted>(marker, { [KafkaHeaders.correlationId]: 'corr-2' })],
      noDeadLetters,
    );
    await expect(waiting).resolves.toEqual(receipt);
    expect(calls).toEqual([['emit', ['user:alice', 'user:bob'], 'conversation:read', receipt]]);
  });

  it('delivers a group message to the members the persister named that have a socket here', async () => {
    // Dave is connected here but not a member; erin is a member connected elsewhere.
    const { handlers, calls } = await startConsumer(['user:alice', 'user:bob', 'user:carol', 'user:dave']);
    const groupFact: MessagePersisted = {
      ...fact,
      conversationId: 'grp_1',
      recipientId: null,
      memberIds: ['alice', 'bob', 'carol', 'erin'],
    };
    await handlers[Topics.messagePersisted](
      [incoming<typeof Topics.messagePersisted>(groupFact)],
      noDeadLetters,
    );
    expect(calls).toEqual([
      [
        'emit',
        ['user:alice', 'user:bob', 'user:carol'],
        'message:new',
        { ...dto, conversationId: 'grp_1', recipientId: null },
      ],
    ]);
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

  it('acks a group change and tells the members after it and the removed member, with the new participants', async () => {
    const { handlers, calls, pendingGroupChanges, members } = await startConsumer();
    const waiting = pendingGroupChanges.wait('corr-3');
    await handlers[Topics.groupChangePersisted](
      [incoming<typeof Topics.groupChangePersisted>(change, { [KafkaHeaders.correlationId]: 'corr-3' })],
      noDeadLetters,
    );
    await expect(waiting).resolves.toEqual(change);
    expect(calls).toEqual([
      [
        'emit',
        ['user:alice', 'user:bob', 'user:carol'],
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
      ],
    ]);
    // The members this gateway checks against are the stored ones, without a database read.
    await expect(members.require('grp_1', 'bob')).resolves.toEqual({
      kind: 'group',
      participantIds: ['alice', 'bob'],
    });
  });

  it('answers a refused change and tells nobody', async () => {
    const { handlers, calls, pendingGroupChanges } = await startConsumer();
    const refused = { ...change, participants: [], refusal: 'notAGroupAdmin' };
    const waiting = pendingGroupChanges.wait('corr-4');
    await handlers[Topics.groupChangePersisted](
      [incoming<typeof Topics.groupChangePersisted>(refused, { [KafkaHeaders.correlationId]: 'corr-4' })],
      noDeadLetters,
    );
    await expect(waiting).resolves.toEqual(refused);
    expect(calls).toEqual([]);
  });
});
