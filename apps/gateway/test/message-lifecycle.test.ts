import { randomUUID } from 'node:crypto';
import {
  type Ack,
  type ChangesPageResponse,
  type ClientEvent,
  type ConversationDto,
  type MessageChangePersisted,
  type MessageDto,
  type MessageHiddenDto,
  type MessagePageResponse,
  type MessageUpdatedDto,
  type MessageView,
  type ReceiptsResponse,
  Topics,
  type VersionsResponse,
} from '@chat/contracts';
import { oneToOneConversationId } from '@chat/storage';
import {
  type AppProcess,
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

/**
 * Issue 22: a message's whole life (edit, delete for everyone or for oneself, reactions, replies), the change
 * log that lets an offline client catch up, "seen by" and versions. Two gateways, one persister, real stack.
 */
const system = new TestSystem(testInfra());
/** A raw socket.io-client connection, as the system hands them out. */
type Socket = Awaited<ReturnType<TestSystem['connect']>>;
const newUser = (name: string) => system.newUser(name);
let gatewayA: AppProcess;
let gatewayB: AppProcess;

beforeAll(async () => {
  await system.startPersister();
  gatewayA = await system.startGateway();
  gatewayB = await system.startGateway();
});
afterEach(() => system.closeClients());
afterAll(() => system.stop());

type MessageAck = Ack<{ message: MessageDto }>;
const edit = (client: Socket, payload: object) =>
  emitWithAck<{ message: MessageDto }>(client, 'message:edit', payload);
const react = (client: Socket, messageId: string, emojis: string[]) =>
  emitWithAck<{ message: MessageDto }>(client, 'message:react', { messageId, emojis });
const remove = (client: Socket, messageId: string, scope: 'everyone' | 'me') =>
  emitWithAck<object>(client, 'message:delete', { messageId, scope });

function stored(ack: MessageAck): MessageDto {
  if (!ack.ok) throw new Error(`refused: ${JSON.stringify(ack.error)}`);
  return ack.message;
}

function refusal(ack: Ack<object>) {
  if (ack.ok) throw new Error('expected a refusal');
  return ack.error;
}

async function get<T>(path: string, userId: string, gateway = gatewayB) {
  const response = await fetch(`${system.url(gateway)}/api/v1/chat${path}`, {
    headers: { authorization: `Bearer ${mintToken(userId)}` },
  });
  return { status: response.status, body: (await response.json()) as T };
}

/** Every page of the change log after `after`, `limit` at a time. */
async function allChanges(conversationId: string, userId: string, after: number, limit = 3) {
  const messages: MessageView[] = [];
  let cursor: number | null = after;
  while (cursor !== null) {
    const page: { status: number; body: ChangesPageResponse } = await get<ChangesPageResponse>(
      `/convo/${conversationId}/changes?after=${cursor}&limit=${limit}`,
      userId,
    );
    expect(page.status).toBe(200);
    messages.push(...page.body.messages);
    cursor = page.body.nextCursor;
  }
  return messages;
}

function next<T>(client: Socket, event: ClientEvent | string, predicate: (value: T) => boolean = () => true) {
  return new Promise<T>((resolve) => {
    const listener = (value: T) => {
      if (!predicate(value)) return;
      client.off(event as 'message:new', listener as never);
      resolve(value);
    };
    client.on(event as 'message:new', listener as never);
  });
}

const unreadOf = async (conversationId: string, userId: string) =>
  (await get<{ conversation: ConversationDto }>(`/convo/${conversationId}`, userId)).body.conversation
    .unreadCount;

describe('message:edit', () => {
  it('stores a new version, tells every member on both gateways, keeps every text, and absorbs a retry', async () => {
    const [alice, bob] = [newUser('alice'), newUser('bob')];
    const [aliceClient, bobClient] = await Promise.all([
      system.connect(alice, gatewayA),
      system.connect(bob, gatewayB),
    ]);
    const original = await sendStored(aliceClient, bob, 'helo');
    expect(original).toMatchObject({ version: 1, reactions: [], changeSeq: 1 });
    expect(original.editedAt).toBeUndefined();

    const toBob = next<MessageUpdatedDto>(bobClient, 'message:updated');
    const clientRequestId = randomUUID();
    const edited = stored(
      await edit(aliceClient, { messageId: original.id, text: 'hello', clientRequestId }),
    );
    expect(edited).toMatchObject({ id: original.id, seq: 1, text: 'hello', version: 2, changeSeq: 2 });
    expect(edited.editedAt).toEqual(expect.any(String));
    expect(await toBob).toEqual({ conversationId: original.conversationId, change: 'edit', message: edited });

    // A retried edit (same clientRequestId) makes no second version.
    const retry = stored(await edit(aliceClient, { messageId: original.id, text: 'hello', clientRequestId }));
    expect(retry).toMatchObject({ version: 2, changeSeq: 2 });
    stored(await edit(aliceClient, { messageId: original.id, text: 'hello bob' }));

    const versions = await get<VersionsResponse>(
      `/convo/${original.conversationId}/message/${original.id}/versions`,
      bob,
    );
    expect(versions.status).toBe(200);
    expect(versions.body.versions).toEqual([
      { version: 1, text: 'helo', editedAt: original.createdAt },
      { version: 2, text: 'hello', editedAt: edited.editedAt },
      { version: 3, text: 'hello bob', editedAt: expect.any(String) },
    ]);
  });

  it('absorbs a command Kafka delivers twice, and tells downstream consumers on message.change.persisted', async () => {
    const [alice, bob] = [newUser('alice'), newUser('bob')];
    const aliceClient = await system.connect(alice, gatewayA);
    const message = await sendStored(aliceClient, bob, 'v1');
    const command = { messageId: message.id, text: 'v2', clientRequestId: randomUUID() };
    expect(stored(await edit(aliceClient, command))).toMatchObject({ version: 2 });

    const bus = await system.eventBus('lifecycle-downstream');
    const facts: MessageChangePersisted[] = [];
    await bus.subscribe({
      groupId: `${system.topicPrefix}downstream`,
      fromBeginning: true,
      handlers: {
        [Topics.messageChangePersisted]: async (events) => {
          for (const { value } of events) if (value.messageId === message.id) facts.push(value);
        },
      },
    });
    // The same command again, straight onto the topic, as a redelivery would bring it.
    await bus.publish(Topics.messageChange, [
      {
        key: message.conversationId,
        value: {
          conversationId: message.conversationId,
          messageId: message.id,
          actorId: alice,
          action: 'edit',
          text: 'v2',
          scope: null,
          emojis: [],
          requestId: command.clientRequestId,
          at: Date.now(),
        },
      },
    ]);
    await waitFor(() => facts.length === 2, 20_000, 'the fact of the edit and of its replay');
    expect(
      facts.map((fact) => [fact.action, fact.refusal, fact.messages[0]?.version, fact.messages[0]?.text]),
    ).toEqual([
      ['edit', null, 2, 'v2'],
      ['edit', null, 2, 'v2'],
    ]);
    expect(facts[0]?.messages[0]?.memberIds.sort()).toEqual([alice, bob].sort());
    const versions = await get<VersionsResponse>(
      `/convo/${message.conversationId}/message/${message.id}/versions`,
      bob,
    );
    expect(versions.body.versions.map((version) => version.text)).toEqual(['v1', 'v2']);
  });

  it('lets only the sender edit, within EDIT_WINDOW_SECONDS, with the text rules of a send', async () => {
    const [alice, bob, mallory] = [newUser('alice'), newUser('bob'), newUser('mallory')];
    const [aliceClient, bobClient, malloryClient] = await Promise.all([
      system.connect(alice, gatewayA),
      system.connect(bob, gatewayB),
      system.connect(mallory, gatewayA),
    ]);
    const message = await sendStored(aliceClient, bob, 'mine');

    expect(refusal(await edit(bobClient, { messageId: message.id, text: 'yours?' })).code).toBe('FORBIDDEN');
    expect(refusal(await edit(aliceClient, { messageId: message.id, text: '   ' }))).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ path: 'text' }],
    });
    expect(refusal(await edit(aliceClient, { messageId: message.id, text: 'x'.repeat(4001) })).code).toBe(
      'VALIDATION_FAILED',
    );
    // Unknown, and someone else's conversation: the same NOT_FOUND, so naming a message tells nothing.
    const unknown = refusal(await edit(aliceClient, { messageId: 'msg_unknown', text: 'x' }));
    const stranger = refusal(await edit(malloryClient, { messageId: message.id, text: 'x' }));
    expect(unknown.code).toBe('NOT_FOUND');
    expect(stranger).toEqual(unknown);
    for (const event of ['message:delete', 'message:react'] as const) {
      const payload = event === 'message:delete' ? { scope: 'me' } : { emojis: ['👍'] };
      expect(refusal(await emitWithAck(malloryClient, event, { messageId: message.id, ...payload }))).toEqual(
        unknown,
      );
    }

    // The persister checks the window when it stores the edit: a message sent 901 s ago is past the default 900.
    await system.db
      .collection('messages')
      .updateOne({ _id: message.id as never }, { $set: { createdAt: new Date(Date.now() - 901_000) } });
    expect(refusal(await edit(aliceClient, { messageId: message.id, text: 'too late' })).code).toBe(
      'FORBIDDEN',
    );
    const history = await get<MessagePageResponse>(`/convo/${message.conversationId}/message`, bob);
    expect(history.body.messages).toMatchObject([{ id: message.id, text: 'mine', version: 1 }]);
  });
});

describe('message:delete', () => {
  it('leaves a tombstone for everyone, empties every quote of it, and stops it counting as unread', async () => {
    const [alice, bob] = [newUser('alice'), newUser('bob')];
    const [aliceClient, bobClient] = await Promise.all([
      system.connect(alice, gatewayA),
      system.connect(bob, gatewayB),
    ]);
    const first = await sendStored(aliceClient, bob, 'regrettable');
    const second = await sendStored(aliceClient, bob, 'fine');
    stored(await edit(aliceClient, { messageId: first.id, text: 'regrettable, edited' }));
    const replyAck = await sendMessage(bobClient, {
      clientMessageId: randomUUID(),
      conversationId: first.conversationId,
      text: 'what?',
      replyToId: first.id,
    });
    const reply = stored(replyAck);
    expect(reply.replyTo).toEqual({ id: first.id, seq: 1, senderId: alice, text: 'regrettable, edited' });
    expect(await unreadOf(first.conversationId, bob)).toBe(2);

    const updates: MessageUpdatedDto[] = [];
    bobClient.on('message:updated', (update) => updates.push(update));
    expect(await remove(aliceClient, first.id, 'everyone')).toEqual({ ok: true });
    await waitFor(() => updates.length === 2, 10_000, 'both updates');
    const [tombstone, quoting] = updates.map((update) => update.message);
    expect(updates.map((update) => update.change)).toEqual(['delete', 'delete']);
    expect(tombstone).toMatchObject({ id: first.id, seq: 1, text: '', reactions: [] });
    expect(tombstone?.deletedAt).toEqual(expect.any(String));
    expect(quoting).toMatchObject({ id: reply.id, replyTo: { id: first.id, text: '' } });
    expect(quoting?.changeSeq).toBeLessThan(tombstone?.changeSeq ?? 0);

    // Its text is gone from storage: the message, its earlier versions, and the conversation's copy of it.
    const doc = await system.db.collection('messages').findOne({ _id: first.id as never });
    expect(doc).toMatchObject({ text: '', seq: 1 });
    expect(doc?.versions).toBeUndefined();
    expect(JSON.stringify(await system.db.collection('messages').find().toArray())).not.toContain(
      'regrettable',
    );
    const history = await get<MessagePageResponse>(`/convo/${first.conversationId}/message`, bob);
    expect(history.body.messages.map((message) => message.seq)).toEqual([3, 2, 1]);
    expect(await unreadOf(first.conversationId, bob)).toBe(1);
    const versions = await get<VersionsResponse>(
      `/convo/${first.conversationId}/message/${first.id}/versions`,
      bob,
    );
    expect(versions.body).toEqual({ versions: [] });

    // A tombstone can be neither edited nor reacted to; deleting it again changes nothing.
    const editAfter = refusal(await edit(aliceClient, { messageId: first.id, text: 'back' }));
    expect(editAfter).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: expect.stringContaining('deleted'),
    });
    expect(refusal(await react(bobClient, first.id, ['👍'])).code).toBe('VALIDATION_FAILED');
    expect(await remove(aliceClient, first.id, 'everyone')).toEqual({ ok: true });
    expect((await remove(bobClient, second.id, 'everyone')) as Ack<object>).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
  });

  it('lets a group admin delete any message for everyone, and no other member', async () => {
    const [alice, bob, carol] = [newUser('alice'), newUser('bob'), newUser('carol')];
    const [aliceClient, bobClient, carolClient] = await Promise.all([
      system.connect(alice, gatewayA),
      system.connect(bob, gatewayB),
      system.connect(carol, gatewayB),
    ]);
    const group = await createGroup(aliceClient, [bob, carol]);
    const fromBob = stored(
      await sendMessage(bobClient, { clientMessageId: randomUUID(), conversationId: group.id, text: 'b' }),
    );
    expect(refusal(await remove(carolClient, fromBob.id, 'everyone')).code).toBe('FORBIDDEN');
    const toCarol = next<MessageUpdatedDto>(carolClient, 'message:updated');
    expect(await remove(aliceClient, fromBob.id, 'everyone')).toEqual({ ok: true });
    expect(await toCarol).toMatchObject({ change: 'delete', message: { id: fromBob.id, text: '' } });
  });

  it('hides a message from its deleter only, on all their devices, as a stub in their history and change log', async () => {
    const [alice, bob] = [newUser('alice'), newUser('bob')];
    const [aliceClient, bobLaptop, bobPhone] = await Promise.all([
      system.connect(alice, gatewayA),
      system.connect(bob, gatewayA),
      system.connect(bob, gatewayB),
    ]);
    const hidden = await sendStored(aliceClient, bob, 'not for bob');
    const kept = await sendStored(aliceClient, bob, 'for bob');
    const { conversationId } = hidden;
    const aliceBefore = await allChanges(conversationId, alice, 0);
    const toAlice: string[] = [];
    aliceClient.on('message:hidden', () => toAlice.push('hidden'));
    aliceClient.on('message:updated', (update) => toAlice.push(update.change));

    const toPhone = next<MessageHiddenDto>(bobPhone, 'message:hidden');
    expect(await remove(bobLaptop, hidden.id, 'me')).toEqual({ ok: true });
    expect(await toPhone).toEqual({ conversationId, messageId: hidden.id });
    // Alice is never told. A change after the hide reaches her through the same partition, after where the
    // hide's notice would have been: once she has it, she would have had that notice.
    const reactionToAlice = next<MessageUpdatedDto>(aliceClient, 'message:updated');
    stored(await react(bobPhone, kept.id, ['👍']));
    await reactionToAlice;
    expect(toAlice).toEqual(['reactions']);

    const stub = { id: hidden.id, conversationId, seq: 1, changeSeq: 3, hiddenForMe: true };
    const reacted = { ...kept, reactions: [{ emoji: '👍', userIds: [bob] }], changeSeq: 4 };
    const history = await get<MessagePageResponse>(`/convo/${conversationId}/message?after=0`, bob);
    expect(history.body.messages).toEqual([stub, reacted]);
    expect(await allChanges(conversationId, bob, 0)).toEqual([stub, reacted]);
    expect(await allChanges(conversationId, bob, 2)).toEqual([stub, reacted]);
    // Hiding it again changes nothing; the others' view of it never moved.
    expect(await remove(bobPhone, hidden.id, 'me')).toEqual({ ok: true });
    expect(await allChanges(conversationId, bob, 4)).toEqual([]);
    expect(await allChanges(conversationId, alice, 0)).toEqual([aliceBefore[0], reacted]);
    const aliceHistory = await get<MessagePageResponse>(`/convo/${conversationId}/message?after=0`, alice);
    expect(aliceHistory.body.messages).toEqual([hidden, reacted]);
  });
});

describe('message:react', () => {
  it("sets the caller's whole set: emojis in first-added order, users in reaction order, [] clears", async () => {
    const [alice, bob] = [newUser('alice'), newUser('bob')];
    const [aliceClient, bobClient] = await Promise.all([
      system.connect(alice, gatewayA),
      system.connect(bob, gatewayB),
    ]);
    const message = await sendStored(aliceClient, bob, 'react to me');
    const toAlice = next<MessageUpdatedDto>(aliceClient, 'message:updated');
    const afterBob = stored(await react(bobClient, message.id, ['👍', '🎉']));
    expect(await toAlice).toEqual({
      conversationId: message.conversationId,
      change: 'reactions',
      message: afterBob,
    });
    stored(await react(aliceClient, message.id, ['🎉', '❤️']));
    expect(stored(await react(bobClient, message.id, ['🎉'])).reactions).toEqual([
      { emoji: '🎉', userIds: [bob, alice] },
      { emoji: '❤️', userIds: [alice] },
    ]);
    const cleared = stored(await react(aliceClient, message.id, []));
    expect(cleared.reactions).toEqual([{ emoji: '🎉', userIds: [bob] }]);
    // The same set again is no change.
    expect(stored(await react(aliceClient, message.id, [])).changeSeq).toBe(cleared.changeSeq);

    const tooMany = Array.from({ length: 21 }, (_, index) => String.fromCodePoint(0x1f600 + index));
    expect(refusal(await react(bobClient, message.id, tooMany)).code).toBe('VALIDATION_FAILED');
    expect(stored(await react(bobClient, message.id, tooMany.slice(0, 20))).reactions).toHaveLength(20);
    const longEmoji = '😀'.repeat(33);
    expect(refusal(await react(bobClient, message.id, [longEmoji])).code).toBe('VALIDATION_FAILED');
    expect(stored(await react(bobClient, message.id, [longEmoji.slice(2)])).reactions).toHaveLength(1);
    // Edits and reactions leave unread counts alone.
    expect(await unreadOf(message.conversationId, bob)).toBe(1);
  });
});

describe('replies', () => {
  it('quote the first 100 code points of the text then, unchanged by later edits, and only within the conversation', async () => {
    const [alice, bob, carol] = [newUser('alice'), newUser('bob'), newUser('carol')];
    const [aliceClient, bobClient] = await Promise.all([
      system.connect(alice, gatewayA),
      system.connect(bob, gatewayB),
    ]);
    const long = '😀'.repeat(150);
    const quoted = await sendStored(aliceClient, bob, long);
    const reply = stored(
      await sendMessage(bobClient, {
        clientMessageId: randomUUID(),
        otherUserId: alice,
        text: 'ha',
        replyToId: quoted.id,
      }),
    );
    expect(reply.replyTo).toEqual({ id: quoted.id, seq: 1, senderId: alice, text: '😀'.repeat(100) });
    stored(await edit(aliceClient, { messageId: quoted.id, text: 'changed' }));
    const history = await get<MessagePageResponse>(`/convo/${quoted.conversationId}/message`, alice);
    expect(history.body.messages[0]).toMatchObject({ id: reply.id, replyTo: { text: '😀'.repeat(100) } });

    const elsewhere = await sendStored(aliceClient, carol, 'other conversation');
    for (const replyToId of [elsewhere.id, 'msg_unknown']) {
      const ack = await sendMessage(bobClient, {
        clientMessageId: randomUUID(),
        otherUserId: alice,
        text: 'x',
        replyToId,
      });
      expect(refusal(ack)).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'replyToId' }] });
    }
  });
});

describe('receipts ("seen by")', () => {
  it('lists the members of the time who read it and whose devices received it, for members only', async () => {
    const [alice, bob, carol, dave, erin, mallory] = ['alice', 'bob', 'carol', 'dave', 'erin', 'mallory'].map(
      newUser,
    ) as [string, string, string, string, string, string];
    const [aliceClient, bobClient, carolClient] = await Promise.all([
      system.connect(alice, gatewayA),
      system.connect(bob, gatewayB),
      system.connect(carol, gatewayA),
    ]);
    const group = await createGroup(aliceClient, [bob, carol, erin]);
    const message = stored(
      await sendMessage(aliceClient, {
        clientMessageId: randomUUID(),
        conversationId: group.id,
        text: 'seen?',
      }),
    );
    const path = `/convo/${group.id}/message/${message.id}/receipts`;
    expect((await get<ReceiptsResponse>(path, alice)).body).toEqual({ readBy: [], deliveredTo: [] });

    const readAck = await emitWithAck(bobClient, 'conversation:read', { conversationId: group.id });
    expect(readAck.ok).toBe(true);
    const deliveredAck = await emitWithAck(carolClient, 'message:delivered', {
      conversationId: group.id,
      seq: 1,
    });
    expect(deliveredAck.ok).toBe(true);
    // Dave joins after the message: his marker says everything before his arrival is read, yet he never saw it.
    expect(
      (await emitWithAck(aliceClient, 'group:add-members', { conversationId: group.id, memberIds: [dave] }))
        .ok,
    ).toBe(true);
    expect((await get<ReceiptsResponse>(path, carol)).body).toEqual({
      readBy: [bob],
      deliveredTo: [bob, carol],
    });

    // Members only: the same 404 as every conversation route for a stranger, 403 for a removed member.
    const stranger = await get(path, mallory);
    const unknownConversation = await get(`/convo/grp_unknown/message/${message.id}/receipts`, mallory);
    expect(stranger).toEqual(unknownConversation);
    expect(stranger.status).toBe(404);
    expect((await get(`/convo/${group.id}/message/msg_unknown/receipts`, alice)).status).toBe(404);
    expect((await get(`/convo/${group.id}/message/${message.id}/versions`, mallory)).status).toBe(404);
    expect((await get(`/convo/${group.id}/changes`, mallory)).status).toBe(404);
    expect(
      (await emitWithAck(aliceClient, 'group:remove-member', { conversationId: group.id, userId: erin })).ok,
    ).toBe(true);
    expect((await get(path, erin)).status).toBe(403);
  });
});

describe('the change log', () => {
  it('lets a client offline through 5 edits, 3 deletions and 10 reaction changes rebuild exactly the state of one that stayed online', async () => {
    const [alice, bob] = [newUser('alice'), newUser('bob')];
    const [aliceClient, bobOnline] = await Promise.all([
      system.connect(alice, gatewayA),
      system.connect(bob, gatewayB),
    ]);
    const conversationId = oneToOneConversationId(alice, bob);

    // What the online device holds: every message as its events tell it, the latest change winning.
    const online = new Map<string, MessageDto | 'hidden'>();
    const keep = (message: MessageDto) => {
      const held = online.get(message.id);
      if (held === 'hidden') return;
      if (!held || held.changeSeq < message.changeSeq) online.set(message.id, message);
    };
    bobOnline.on('message:new', keep);
    bobOnline.on('message:updated', (update) => keep(update.message));
    bobOnline.on('message:hidden', (hidden) => online.set(hidden.messageId, 'hidden'));

    const sent: MessageDto[] = [];
    for (let index = 0; index < 8; index++) sent.push(await sendStored(aliceClient, bob, `message ${index}`));
    const m = (index: number) => sent[index] as MessageDto;
    sent.push(
      stored(
        await sendMessage(bobOnline, {
          clientMessageId: randomUUID(),
          conversationId,
          text: 'a reply',
          replyToId: m(2).id,
        }),
      ),
    );

    // The offline device synced once, then went away.
    const offline = new Map<string, MessageView>();
    const apply = (messages: MessageView[]) => {
      for (const message of messages) offline.set(message.id, message);
    };
    const before = await allChanges(conversationId, bob, 0);
    apply(before);
    const lastSeen = Math.max(...before.map((message) => message.changeSeq));

    const acks: MessageDto[] = [];
    for (const [index, text] of [
      [0, 'zero, edited'],
      [1, 'one, edited'],
      [0, 'zero, edited twice'],
      [2, 'two, edited'],
      [5, 'five, edited'],
    ] as const) {
      acks.push(stored(await edit(aliceClient, { messageId: m(index).id, text })));
    }
    const reactions: Array<[Socket, number, string[]]> = [
      [bobOnline, 0, ['👍']],
      [aliceClient, 0, ['❤️', '👍']],
      [bobOnline, 3, ['🎉']],
      [bobOnline, 0, []],
      [aliceClient, 3, ['🎉']],
      [bobOnline, 4, ['😮', '👍']],
      [aliceClient, 4, ['👍']],
      [bobOnline, 4, ['👍']],
      [aliceClient, 6, ['🙏']],
      [bobOnline, 7, ['👍']],
    ];
    for (const [client, index, emojis] of reactions)
      acks.push(stored(await react(client, m(index).id, emojis)));
    expect(await remove(aliceClient, m(2).id, 'everyone')).toEqual({ ok: true });
    expect(await remove(aliceClient, m(7).id, 'everyone')).toEqual({ ok: true });
    expect(await remove(bobOnline, m(6).id, 'me')).toEqual({ ok: true });

    // The online device has heard of everything once the last deletions reached it.
    await waitFor(
      () =>
        online.get(m(6).id) === 'hidden' &&
        (online.get(m(7).id) as MessageDto | undefined)?.deletedAt !== undefined &&
        (online.get(m(2).id) as MessageDto | undefined)?.deletedAt !== undefined &&
        (online.get(sent[8]?.id ?? '') as MessageDto | undefined)?.replyTo?.text === '',
      15_000,
      'the online device to hear of every change',
    );

    const changes = await allChanges(conversationId, bob, lastSeen);
    const changeSeqs = changes.map((message) => message.changeSeq);
    expect(changeSeqs).toEqual([...changeSeqs].sort((a, b) => a - b));
    expect(new Set(changes.map((message) => message.id)).size).toBe(changes.length);
    apply(changes);

    const asOnline = (message: MessageView) => ('hiddenForMe' in message ? 'hidden' : message);
    expect(new Map([...offline].map(([id, message]) => [id, asOnline(message)]))).toEqual(online);
    expect(offline.get(m(6).id)).toMatchObject({ hiddenForMe: true, seq: 7 });
    expect(offline.get(m(2).id)).toMatchObject({ text: '', deletedAt: expect.any(String) });
    expect(offline.get(m(0).id)).toMatchObject({
      text: 'zero, edited twice',
      version: 3,
      reactions: [
        { emoji: '👍', userIds: [alice] },
        { emoji: '❤️', userIds: [alice] },
      ],
    });
    // A device with nothing stored gets the same from the whole log.
    const fresh = new Map(
      (await allChanges(conversationId, bob, 0, 4)).map((message) => [message.id, message]),
    );
    expect(fresh).toEqual(offline);
  });
});
