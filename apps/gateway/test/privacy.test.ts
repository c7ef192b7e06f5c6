import { randomUUID } from 'node:crypto';
import type {
  Ack,
  ConversationDto,
  ConversationUpdatedDto,
  ErrorBody,
  InboxPageResponse,
  ParticipantDto,
} from '@chat/contracts';
import { oneToOneConversationId } from '@chat/storage';
import {
  type ChatSocket,
  createGroup,
  emitWithAck,
  mintToken,
  sendMessage,
  sendStored,
  TestSystem,
  testInfra,
} from '@chat/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

/**
 * What a user may learn about conversations that are not theirs: nothing. Someone who never belonged to a
 * conversation cannot tell it from one that does not exist, cannot change it, and nobody hears of their
 * attempts; a removed member sees the conversation as it was when they were removed.
 */
const system = new TestSystem(testInfra());
const newUser = (name: string) => system.newUser(name);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const emit = emitWithAck;

type MembersAck = Ack<{ conversationId: string; participants: ParticipantDto[] }>;

const changeMembers = (
  client: ChatSocket,
  event: 'group:add-members' | 'group:remove-member',
  payload: object,
): Promise<MembersAck> => emit(client, event, payload);

/** Every `conversation:updated` a client receives from now on. */
function updates(client: ChatSocket): ConversationUpdatedDto[] {
  const seen: ConversationUpdatedDto[] = [];
  client.on('conversation:updated', (update) => seen.push(update));
  return seen;
}

async function get<T>(path: string, userId: string): Promise<{ status: number; body: T }> {
  const response = await fetch(`${system.url()}${path}`, {
    headers: { authorization: `Bearer ${mintToken(userId)}` },
  });
  return { status: response.status, body: (await response.json()) as T };
}

async function read(client: ChatSocket, conversationId: string): Promise<string> {
  const ack = await emit<{ lastReadAt: string }>(client, 'conversation:read', { conversationId });
  if (!ack.ok) throw new Error(`read failed: ${JSON.stringify(ack.error)}`);
  return ack.lastReadAt;
}

beforeAll(async () => {
  await system.startPersister();
  await system.startGateway();
});
afterEach(() => system.closeClients());
afterAll(() => system.stop());

describe('group membership does not leak', () => {
  it('answers an outsider "leaving" or changing a group with NOT_FOUND, tells it nothing, and tells nobody', async () => {
    const [alice, bob, mallory] = [newUser('alice'), newUser('bob'), newUser('mallory')];
    const [aliceClient, bobClient, malloryClient] = await Promise.all([
      system.connect(alice),
      system.connect(bob),
      system.connect(mallory),
    ]);
    const group = await createGroup(aliceClient, [bob]);
    await pause(300);
    const toBob = updates(bobClient);
    const toAlice = updates(aliceClient);

    const leave = await changeMembers(malloryClient, 'group:remove-member', {
      conversationId: group.id,
      userId: mallory,
    });
    expect(leave).toEqual({
      ok: false,
      error: { code: 'NOT_FOUND', message: expect.any(String), retriable: false },
    });
    for (const [event, payload] of [
      ['group:remove-member', { conversationId: group.id, userId: bob }],
      ['group:add-members', { conversationId: group.id, memberIds: [mallory] }],
    ] as const) {
      expect(await changeMembers(malloryClient, event, payload), event).toMatchObject({
        ok: false,
        error: { code: 'NOT_FOUND' },
      });
    }
    // An admin removing someone who is not a member changes nothing: acked (a retry is safe), nobody told.
    const noop = await changeMembers(aliceClient, 'group:remove-member', {
      conversationId: group.id,
      userId: mallory,
    });
    expect(noop.ok && noop.participants.map((p) => p.userId)).toEqual([alice, bob]);

    await pause(1000);
    expect(toBob).toEqual([]);
    expect(toAlice).toEqual([]);
    const stored = await system.db.collection('conversations').findOne({ _id: group.id as never });
    expect(stored?.participantIds).toEqual([alice, bob]);
  });

  it('shows a removed member the conversation as it was at the removal, and leaving again reveals nothing newer', async () => {
    const [alice, bob, carol, dave] = [newUser('alice'), newUser('bob'), newUser('carol'), newUser('dave')];
    const [aliceClient, bobClient, carolClient] = await Promise.all([
      system.connect(alice),
      system.connect(bob),
      system.connect(carol),
    ]);
    const group = await createGroup(aliceClient, [bob, carol]);
    await sendMessage(aliceClient, { clientMessageId: randomUUID(), conversationId: group.id, text: 'one' });
    await read(bobClient, group.id);
    const removal = await changeMembers(aliceClient, 'group:remove-member', {
      conversationId: group.id,
      userId: carol,
    });
    if (!removal.ok) throw new Error(`removal failed: ${JSON.stringify(removal.error)}`);
    const atRemoval = removal.participants;
    expect(atRemoval.map((p) => p.userId)).toEqual([alice, bob]);

    // After the removal: a member added, a marker moved, a message sent.
    await pause(50);
    expect(
      (await changeMembers(aliceClient, 'group:add-members', { conversationId: group.id, memberIds: [dave] }))
        .ok,
    ).toBe(true);
    await sendMessage(aliceClient, { clientMessageId: randomUUID(), conversationId: group.id, text: 'two' });
    const laterRead = await read(bobClient, group.id);
    expect(laterRead > (atRemoval[1]?.lastReadAt ?? '')).toBe(true);

    const view = await get<{ conversation: ConversationDto }>(`/api/v1/chat/convo/${group.id}`, carol);
    expect(view.status).toBe(200);
    expect(view.body.conversation.participants).toEqual(atRemoval);
    expect(view.body.conversation).toMatchObject({ lastMessage: { text: 'one' }, unreadCount: 0 });

    const toAlice = updates(aliceClient);
    const again = await changeMembers(carolClient, 'group:remove-member', {
      conversationId: group.id,
      userId: carol,
    });
    expect(again).toEqual({ ok: true, conversationId: group.id, participants: atRemoval });
    await pause(500);
    expect(toAlice).toEqual([]);
    // A removed member knows the group exists: sending is FORBIDDEN, as before.
    expect(
      await sendMessage(carolClient, { clientMessageId: randomUUID(), conversationId: group.id, text: 'x' }),
    ).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });
});

describe('who talks to whom cannot be probed', () => {
  it('answers someone who never belonged with 404 / NOT_FOUND on every conversation route and event, whether it exists or not', async () => {
    const [alice, bob, mallory] = [newUser('alice'), newUser('bob'), newUser('mallory')];
    const [aliceClient, malloryClient] = await Promise.all([system.connect(alice), system.connect(mallory)]);
    await sendStored(aliceClient, bob, 'hi bob');
    const group = await createGroup(aliceClient, [bob]);
    const targets = {
      'a 1-1 conversation that exists': oneToOneConversationId(alice, bob),
      'a group that exists': group.id,
      'a 1-1 conversation that does not exist': oneToOneConversationId(alice, newUser('nobody')),
      'a group that does not exist': `grp_${'x'.repeat(22)}`,
    };
    const answers: Record<string, unknown[]> = {};
    for (const [name, conversationId] of Object.entries(targets)) {
      const seen: unknown[] = [];
      for (const path of [
        `/api/v1/chat/convo/${conversationId}`,
        `/api/v1/chat/convo/${conversationId}/message`,
      ]) {
        seen.push(await get(path, mallory));
      }
      for (const [event, payload] of [
        ['message:send', { clientMessageId: randomUUID(), conversationId, text: 'probe' }],
        ['conversation:read', { conversationId }],
        ['message:delivered', { conversationId, seq: 1 }],
        ['typing:start', { conversationId }],
        ['typing:stop', { conversationId }],
        ['group:add-members', { conversationId, memberIds: [mallory] }],
        ['group:remove-member', { conversationId, userId: mallory }],
        ['group:remove-member', { conversationId, userId: alice }],
      ] as const) {
        seen.push(await emit(malloryClient, event, payload));
      }
      answers[name] = seen;
    }
    const notFound = answers['a group that does not exist'];
    for (const answer of notFound ?? []) {
      const { status, body } = answer as { status?: number; body?: { error: ErrorBody } };
      if (status !== undefined) {
        expect(status).toBe(404);
        expect(body?.error.code).toBe('NOT_FOUND');
      } else expect(answer).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    }
    // Every answer is exactly the answer for a conversation that does not exist.
    for (const [name, seen] of Object.entries(answers)) expect(seen, name).toEqual(notFound);
    expect(await system.db.collection('messages').countDocuments({ senderId: mallory })).toBe(0);
  });
});

describe('inbox cursors', () => {
  it('accepts the cursors the server issued and refuses forged ones with 400 VALIDATION_FAILED', async () => {
    const alice = newUser('alice');
    const aliceClient = await system.connect(alice);
    for (const other of ['x', 'y', 'z']) await sendStored(aliceClient, newUser(other), 'hello');
    const first = await get<InboxPageResponse>('/api/v1/chat/convo?limit=1', alice);
    expect(first.status).toBe(200);
    const cursor = first.body.nextCursor as string;
    const second = await get<InboxPageResponse>(
      `/api/v1/chat/convo?limit=1&cursor=${encodeURIComponent(cursor)}`,
      alice,
    );
    expect(second.status).toBe(200);
    expect(second.body.conversations[0]?.id).not.toBe(first.body.conversations[0]?.id);

    const forged = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const [lastId] = first.body.conversations.map((conversation) => conversation.id);
    for (const [name, bad] of [
      ['a well-formed cursor the server never issued', forged({ lastActivityAt: Date.now(), id: 'dm_zzz' })],
      [
        'lastActivityAt: 1e400',
        Buffer.from(`{"lastActivityAt":1e400,"id":"${lastId}"}`).toString('base64url'),
      ],
      [
        'an issued cursor with its payload changed',
        `${forged({ lastActivityAt: 1, id: 'a' })}${cursor.slice(cursor.indexOf('.'))}`,
      ],
      ['an issued cursor of another user', await cursorOf(newUser('bob'))],
    ] as const) {
      const response = await get<{ error: ErrorBody }>(
        `/api/v1/chat/convo?limit=1&cursor=${encodeURIComponent(bad)}`,
        alice,
      );
      expect(response.status, name).toBe(400);
      expect(response.body.error.code, name).toBe('VALIDATION_FAILED');
    }
  });
});

/** A genuine cursor issued to `userId` (who gets two conversations for it). */
async function cursorOf(userId: string): Promise<string> {
  const client = await system.connect(userId);
  for (const other of ['p', 'q']) await sendStored(client, newUser(other), 'hello');
  const page = await get<InboxPageResponse>('/api/v1/chat/convo?limit=1', userId);
  return page.body.nextCursor as string;
}
