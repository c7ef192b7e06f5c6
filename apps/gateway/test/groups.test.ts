import { randomUUID } from 'node:crypto';
import type {
  ClientEvent,
  ConversationDto,
  ConversationUpdatedDto,
  DeliveredReceiptDto,
  MessageDto,
  MessagePageResponse,
  ParticipantDto,
  TypingDto,
} from '@chat/contracts';
import { oneToOneConversationId } from '@chat/storage';
import {
  type AppProcess,
  type ChatSocket,
  createGroup,
  emitWithAck,
  mintToken,
  sendMessage,
  sendStored,
  TestSystem,
  testInfra,
  waitFor,
} from '@chat/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const system = new TestSystem(testInfra());
const newUser = (name: string) => system.newUser(name);
let gatewayA: AppProcess;
let gatewayB: AppProcess;

const emit = emitWithAck;

async function sendToGroup(client: ChatSocket, conversationId: string, text: string): Promise<MessageDto> {
  const ack = await sendMessage(client, { clientMessageId: randomUUID(), conversationId, text });
  if (!ack.ok) throw new Error(`send failed: ${JSON.stringify(ack.error)}`);
  return ack.message;
}

/** Every `message:new` a client receives, by text. */
function collect(client: ChatSocket): Map<string, MessageDto> {
  const seen = new Map<string, MessageDto>();
  client.on('message:new', (message) => seen.set(message.text, message));
  return seen;
}

function next<E extends 'conversation:updated' | 'conversation:delivered' | 'typing' | 'conversation:read'>(
  client: ChatSocket,
  event: E,
  predicate: (value: never) => boolean = () => true,
): Promise<Parameters<Parameters<ChatSocket['on']>[1]>[0]> {
  return new Promise((resolve) => {
    const listener = (value: never) => {
      if (!predicate(value)) return;
      client.off(event, listener as never);
      resolve(value);
    };
    client.on(event, listener as never);
  });
}

async function get<T>(path: string, userId: string): Promise<{ status: number; body: T }> {
  const response = await fetch(`${system.url(gatewayB)}${path}`, {
    headers: { authorization: `Bearer ${mintToken(userId)}` },
  });
  return { status: response.status, body: (await response.json()) as T };
}

beforeAll(async () => {
  await system.startPersister();
  gatewayA = await system.startGateway();
  gatewayB = await system.startGateway();
});
afterEach(() => system.closeClients());
afterAll(() => system.stop());

describe('groups', () => {
  it('creates a group with the creator as admin, tells every member, and answers a retry with the same group', async () => {
    const [alice, bob, carol] = [newUser('alice'), newUser('bob'), newUser('carol')];
    const [aliceClient, bobClient] = await Promise.all([
      system.connect(alice, gatewayA),
      system.connect(bob, gatewayB),
    ]);
    const toBob = next(bobClient, 'conversation:updated') as Promise<ConversationUpdatedDto>;
    const requestId = randomUUID();
    const group = await createGroup(aliceClient, [bob, carol], requestId);
    expect(group).toMatchObject({
      kind: 'group',
      name: 'team',
      lastMessage: null,
      unreadCount: 0,
      participants: [
        { userId: alice, role: 'admin', lastReadAt: null },
        { userId: bob, role: 'member', lastReadAt: null },
        { userId: carol, role: 'member', lastReadAt: null },
      ],
    });
    expect(group.id).toMatch(/^grp_/);
    expect(await toBob).toMatchObject({ conversationId: group.id, change: 'create', actorId: alice });

    const retry = await createGroup(aliceClient, [bob, carol], requestId);
    expect(retry).toEqual(group);
    expect(await system.db.collection('conversations').countDocuments({ _id: group.id as never })).toBe(1);
  });

  it("delivers a group message to every device of every member, across gateways, with the ack's object", async () => {
    const [alice, bob, carol] = [newUser('alice'), newUser('bob'), newUser('carol')];
    const clients = await Promise.all([
      system.connect(alice, gatewayA),
      system.connect(alice, gatewayB),
      system.connect(bob, gatewayA),
      system.connect(bob, gatewayB),
      system.connect(carol, gatewayB),
    ]);
    const group = await createGroup(clients[0] as ChatSocket, [bob, carol]);
    const received = clients.map((client) => next(client as ChatSocket, 'message:new' as never));
    const message = await sendToGroup(clients[0] as ChatSocket, group.id, 'hello team');
    expect(message).toMatchObject({ conversationId: group.id, senderId: alice, recipientId: null, seq: 1 });
    for (const delivery of received) expect(await delivery).toEqual(message);
  });

  it('refuses someone who never was a member with NOT_FOUND (as for no such group) and stores nothing', async () => {
    const [alice, bob, mallory] = [newUser('alice'), newUser('bob'), newUser('mallory')];
    const [aliceClient, malloryClient] = await Promise.all([
      system.connect(alice, gatewayA),
      system.connect(mallory, gatewayB),
    ]);
    const group = await createGroup(aliceClient, [bob]);
    const ack = await sendMessage(malloryClient, {
      clientMessageId: 'x',
      conversationId: group.id,
      text: 'hi',
    });
    expect(ack).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const unknown = await sendMessage(malloryClient, {
      clientMessageId: 'y',
      conversationId: 'grp_none',
      text: 'hi',
    });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await system.db.collection('messages').countDocuments({ conversationId: group.id })).toBe(0);
    const typing = await emit(malloryClient, 'typing:start', { conversationId: group.id });
    expect(typing).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('under load: a removed member gets nothing sent after the removal ack, an added one everything after the add ack', async () => {
    const [alice, bob, carol, dave] = [newUser('alice'), newUser('bob'), newUser('carol'), newUser('dave')];
    const [aliceClient, carolClient, daveClient] = await Promise.all([
      system.connect(alice, gatewayA),
      system.connect(carol, gatewayB),
      system.connect(dave, gatewayB),
    ]);
    const group = await createGroup(aliceClient, [bob, carol]);
    const toCarol = collect(carolClient);
    const toDave = collect(daveClient);
    let sent = 0;
    /** Texts whose send started after each ack. */
    const afterRemoval: string[] = [];
    const afterAdd: string[] = [];
    let removed = false;
    let added = false;
    let running = true;
    const load = (async () => {
      while (running) {
        const texts = [`m${++sent}`, `m${sent}b`];
        // Whether the ack came before these sends started.
        if (removed) afterRemoval.push(...texts);
        if (added) afterAdd.push(...texts);
        await Promise.all(texts.map((text) => sendToGroup(aliceClient, group.id, text)));
      }
    })();
    await waitFor(() => sent >= 10, 20_000, 'ten sends');
    const toCarolUpdate = next(carolClient, 'conversation:updated') as Promise<ConversationUpdatedDto>;
    const removal = await emit<{ participants: ParticipantDto[] }>(aliceClient, 'group:remove-member', {
      conversationId: group.id,
      userId: carol,
    });
    removed = true;
    expect(removal.ok && removal.participants.map((p) => p.userId)).toEqual([alice, bob]);
    expect(await toCarolUpdate).toMatchObject({ change: 'remove', userIds: [carol] });
    const addition = await emit<{ participants: ParticipantDto[] }>(aliceClient, 'group:add-members', {
      conversationId: group.id,
      memberIds: [dave],
    });
    added = true;
    expect(addition.ok && addition.participants.map((p) => p.userId)).toEqual([alice, bob, dave]);
    const target = sent + 10;
    await waitFor(() => sent >= target, 20_000, 'ten more sends');
    running = false;
    await load;
    const lastText = afterAdd.at(-1) as string;
    await waitFor(() => toDave.has(lastText), 10_000, 'dave got the last message');

    expect(afterRemoval.length).toBeGreaterThanOrEqual(20);
    expect(afterRemoval.filter((text) => toCarol.has(text))).toEqual([]);
    expect(afterAdd.filter((text) => !toDave.has(text))).toEqual([]);
    expect(toCarol.size).toBeGreaterThan(0);

    // Carol may read the history up to her removal, and nothing after it.
    const history = await get<MessagePageResponse>(`/api/v1/chat/convo/${group.id}/message?limit=100`, carol);
    expect(history.status).toBe(200);
    const readable = history.body.messages.map((m) => ('text' in m ? m.text : ''));
    expect(readable.length).toBeGreaterThan(0);
    expect(readable.filter((text) => afterRemoval.includes(text))).toEqual([]);
    const carolSend = await sendMessage(carolClient, {
      clientMessageId: 'z',
      conversationId: group.id,
      text: 'x',
    });
    expect(carolSend).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  it('lets only admins change members, and any member leave; the last admin leaving hands over', async () => {
    const [alice, bob, carol] = [newUser('alice'), newUser('bob'), newUser('carol')];
    const [aliceClient, bobClient] = await Promise.all([
      system.connect(alice, gatewayA),
      system.connect(bob, gatewayB),
    ]);
    const group = await createGroup(aliceClient, [bob, carol]);
    const notAdmin = await emit<object>(bobClient, 'group:remove-member', {
      conversationId: group.id,
      userId: carol,
    });
    expect(notAdmin).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const leave = await emit<{ participants: ParticipantDto[] }>(aliceClient, 'group:remove-member', {
      conversationId: group.id,
      userId: alice,
    });
    expect(leave.ok && leave.participants).toEqual([
      { userId: bob, role: 'admin', lastReadAt: null, lastDeliveredSeq: 0 },
      { userId: carol, role: 'member', lastReadAt: null, lastDeliveredSeq: 0 },
    ]);
  });

  it('keeps read markers and unread counts per member, pushes reads to the other members, lists groups in the inbox', async () => {
    const [alice, bob, carol] = [newUser('alice'), newUser('bob'), newUser('carol')];
    const [aliceClient, bobClient, carolClient] = await Promise.all([
      system.connect(alice, gatewayA),
      system.connect(bob, gatewayB),
      system.connect(carol, gatewayA),
    ]);
    const group = await createGroup(aliceClient, [bob, carol]);
    for (const text of ['one', 'two', 'three']) await sendToGroup(aliceClient, group.id, text);
    await sendToGroup(bobClient, group.id, 'four');

    const toAlice = next(aliceClient, 'conversation:read');
    const toCarol = next(carolClient, 'conversation:read');
    const read = await emit<{ conversationId: string; lastReadAt: string }>(bobClient, 'conversation:read', {
      conversationId: group.id,
    });
    expect(read).toMatchObject({ ok: true, conversationId: group.id });
    const receipt = { conversationId: group.id, userId: bob, lastReadAt: read.ok ? read.lastReadAt : '' };
    expect(await toAlice).toEqual(receipt);
    expect(await toCarol).toEqual(receipt);

    const views = await Promise.all(
      [alice, bob, carol].map((user) =>
        get<{ conversation: ConversationDto }>(`/api/v1/chat/convo/${group.id}`, user),
      ),
    );
    expect(views.map((view) => view.body.conversation.unreadCount)).toEqual([1, 0, 4]);
    expect(views[1]?.body.conversation).toMatchObject({
      kind: 'group',
      name: 'team',
      lastMessage: { text: 'four' },
    });
    // Reading implies delivered.
    expect(views[0]?.body.conversation.participants.find((p) => p.userId === bob)?.lastDeliveredSeq).toBe(4);

    const inbox = await get<{ conversations: Array<{ id: string; otherUserId: string | null }> }>(
      '/api/v1/chat/convo',
      carol,
    );
    expect(inbox.body.conversations).toEqual([expect.objectContaining({ id: group.id, otherUserId: null })]);
  });

  it('serves details and history by conversation id for groups and 1-1 conversations; 404 unknown or never a member', async () => {
    const [alice, bob, mallory] = [newUser('alice'), newUser('bob'), newUser('mallory')];
    const aliceClient = await system.connect(alice, gatewayA);
    const group = await createGroup(aliceClient, [bob]);
    for (let i = 1; i <= 5; i++) await sendToGroup(aliceClient, group.id, `g${i}`);
    await sendStored(aliceClient, bob, 'direct');

    const page = await get<MessagePageResponse>(`/api/v1/chat/convo/${group.id}/message?limit=2&from=5`, bob);
    expect(page.body.messages.map((m) => m.seq)).toEqual([4, 3]);
    expect(page.body.nextCursor).toBe(3);
    const after = await get<MessagePageResponse>(`/api/v1/chat/convo/${group.id}/message?after=3`, bob);
    expect(after.body.messages.map((m) => m.seq)).toEqual([4, 5]);

    const dm = oneToOneConversationId(alice, bob);
    const direct = await get<{ conversation: ConversationDto }>(`/api/v1/chat/convo/${dm}`, bob);
    expect(direct.body.conversation).toMatchObject({ id: dm, kind: 'one_to_one', unreadCount: 1 });
    const directHistory = await get<MessagePageResponse>(`/api/v1/chat/convo/${dm}/message`, bob);
    expect(directHistory.body.messages.map((m) => ('text' in m ? m.text : ''))).toEqual(['direct']);

    expect((await get(`/api/v1/chat/convo/${group.id}`, mallory)).status).toBe(404);
    expect((await get(`/api/v1/chat/convo/${group.id}/message`, mallory)).status).toBe(404);
    expect((await get('/api/v1/chat/convo/grp_unknown', alice)).status).toBe(404);
    expect((await get(`/api/v1/chat/convo/${group.id}/message?limit=0`, alice)).status).toBe(400);
  });
});

describe('delivered receipts', () => {
  it('moves a member’s marker forward only and tells the sender', async () => {
    const [alice, bob, carol] = [newUser('alice'), newUser('bob'), newUser('carol')];
    const [aliceClient, bobClient] = await Promise.all([
      system.connect(alice, gatewayA),
      system.connect(bob, gatewayB),
    ]);
    const group = await createGroup(aliceClient, [bob, carol]);
    for (const text of ['1', '2', '3']) await sendToGroup(aliceClient, group.id, text);

    const toAlice = next(aliceClient, 'conversation:delivered') as Promise<DeliveredReceiptDto>;
    const first = await emit<{ lastDeliveredSeq: number }>(bobClient, 'message:delivered', {
      conversationId: group.id,
      seq: 2,
    });
    expect(first).toMatchObject({ ok: true, conversationId: group.id, lastDeliveredSeq: 2 });
    expect(await toAlice).toEqual({ conversationId: group.id, userId: bob, seq: 2 });

    const back = await emit<{ lastDeliveredSeq: number }>(bobClient, 'message:delivered', {
      conversationId: group.id,
      seq: 1,
    });
    expect(back).toMatchObject({ ok: true, lastDeliveredSeq: 2 });
    // Never past the last message.
    const beyond = await emit<{ lastDeliveredSeq: number }>(bobClient, 'message:delivered', {
      conversationId: group.id,
      seq: 99,
    });
    expect(beyond).toMatchObject({ ok: true, lastDeliveredSeq: 3 });

    const dm = oneToOneConversationId(alice, bob);
    await sendStored(aliceClient, bob, 'direct');
    const directToAlice = next(aliceClient, 'conversation:delivered') as Promise<DeliveredReceiptDto>;
    const direct = await emit(bobClient, 'message:delivered', { conversationId: dm, seq: 1 });
    expect(direct).toMatchObject({ ok: true, lastDeliveredSeq: 1 });
    expect(await directToAlice).toEqual({ conversationId: dm, userId: bob, seq: 1 });
  });
});

describe('typing', () => {
  it('shows typing to the other members across gateways, stops it, and expires it after a client is killed', async () => {
    const [alice, bob] = [newUser('alice'), newUser('bob')];
    const [aliceClient, bobClient] = await Promise.all([
      system.connect(alice, gatewayA),
      system.connect(bob, gatewayB),
    ]);
    const group = await createGroup(aliceClient, [bob]);
    const isTyping = (value: boolean) => (typing: never) => (typing as TypingDto).isTyping === value;

    let shown = next(bobClient, 'typing', isTyping(true));
    expect(await emit(aliceClient, 'typing:start', { conversationId: group.id })).toEqual({ ok: true });
    expect(await shown).toEqual({ conversationId: group.id, userId: alice, isTyping: true });
    const stopped = next(bobClient, 'typing', isTyping(false));
    aliceClient.emit('typing:stop', { conversationId: group.id });
    expect(await stopped).toEqual({ conversationId: group.id, userId: alice, isTyping: false });

    shown = next(bobClient, 'typing', isTyping(true));
    aliceClient.emit('typing:start', { conversationId: group.id });
    await shown;
    const startedAt = Date.now();
    const expired = next(bobClient, 'typing', isTyping(false));
    // Killed: the client vanishes without a stop (its socket closes; nothing else is sent).
    aliceClient.disconnect();
    await expired;
    const after = Date.now() - startedAt;
    expect(after).toBeGreaterThan(4000);
    expect(after).toBeLessThan(7000);
  });

  it('rate-limits typing per socket', async () => {
    const [alice, bob] = [newUser('alice'), newUser('bob')];
    const aliceClient = await system.connect(alice, gatewayA);
    const group = await createGroup(aliceClient, [bob]);
    const acks = [];
    for (let i = 0; i < 12; i++)
      acks.push(await emit(aliceClient, 'typing:start', { conversationId: group.id }));
    expect(acks.filter((ack) => ack.ok)).toHaveLength(10);
    expect(acks.at(-1)).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
  });
});

describe('invalid input', () => {
  const SELF = 'SELF';
  it.each([
    ['group:create', 'no payload', undefined, 'VALIDATION_FAILED'],
    [
      'group:create',
      'an empty name',
      { clientRequestId: 'r', name: '  ', memberIds: ['x'] },
      'VALIDATION_FAILED',
    ],
    [
      'group:create',
      'a 101-character name',
      { clientRequestId: 'r', name: 'n'.repeat(101), memberIds: ['x'] },
      'VALIDATION_FAILED',
    ],
    ['group:create', 'no members', { clientRequestId: 'r', name: 'n', memberIds: [] }, 'VALIDATION_FAILED'],
    [
      'group:create',
      'a repeated member',
      { clientRequestId: 'r', name: 'n', memberIds: ['x', 'x'] },
      'VALIDATION_FAILED',
    ],
    [
      'group:create',
      'the creator as member',
      { clientRequestId: 'r', name: 'n', memberIds: [SELF] },
      'VALIDATION_FAILED',
    ],
    [
      'group:create',
      'more than MAX_GROUP_MEMBERS',
      { clientRequestId: 'r', name: 'n', memberIds: Array.from({ length: 257 }, (_, i) => `u${i}`) },
      'VALIDATION_FAILED',
    ],
    [
      'group:create',
      'an extra field',
      { clientRequestId: 'r', name: 'n', memberIds: ['x'], admin: true },
      'VALIDATION_FAILED',
    ],
    ['group:add-members', 'no members', { conversationId: 'grp_x', memberIds: [] }, 'VALIDATION_FAILED'],
    ['group:add-members', 'an unknown group', { conversationId: 'grp_x', memberIds: ['x'] }, 'NOT_FOUND'],
    ['group:remove-member', 'no user id', { conversationId: 'grp_x' }, 'VALIDATION_FAILED'],
    [
      'message:send',
      'both otherUserId and conversationId',
      { clientMessageId: 'c', otherUserId: 'x', conversationId: 'grp_x', text: 'hi' },
      'VALIDATION_FAILED',
    ],
    [
      'message:send',
      'neither otherUserId nor conversationId',
      { clientMessageId: 'c', text: 'hi' },
      'VALIDATION_FAILED',
    ],
    ['conversation:read', 'both ids', { otherUserId: 'x', conversationId: 'grp_x' }, 'VALIDATION_FAILED'],
    [
      'conversation:read',
      'a malformed readAt',
      { conversationId: 'grp_x', readAt: 'now' },
      'VALIDATION_FAILED',
    ],
    ['conversation:read', 'an unknown conversation', { conversationId: 'grp_x' }, 'NOT_FOUND'],
    ['message:delivered', 'seq 0', { conversationId: 'grp_x', seq: 0 }, 'VALIDATION_FAILED'],
    [
      'message:delivered',
      'a seq that is not a number',
      { conversationId: 'grp_x', seq: '2' },
      'VALIDATION_FAILED',
    ],
    ['message:delivered', 'an unknown conversation', { conversationId: 'grp_x', seq: 1 }, 'NOT_FOUND'],
    ['typing:start', 'no conversationId', {}, 'VALIDATION_FAILED'],
    ['typing:stop', 'an unknown conversation', { conversationId: 'grp_x' }, 'NOT_FOUND'],
  ])('%s with %s: %s', async (event, _name, payload, code) => {
    const alice = newUser('alice');
    const client = await system.connect(alice, gatewayA);
    const withSelf =
      payload && 'memberIds' in payload
        ? { ...payload, memberIds: payload.memberIds.map((id) => (id === SELF ? alice : id)) }
        : payload;
    const ack = await emit(client, event as ClientEvent, withSelf);
    expect(ack).toMatchObject({ ok: false, error: { code } });
  });
});
