import type { MessageDto, MessagePageResponse } from '@chat/contracts';
import {
  connectClient,
  mintToken,
  nextMessage,
  sendMessage,
  sendStored,
  TestSystem,
  testInfra,
} from '@chat/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const system = new TestSystem(testInfra());
const newUser = (name: string) => system.newUser(name);

const connect = (userId: string, gateway = system.gateways[0]) => system.connect(userId, gateway);

async function http(path: string, userId: string | null, method = 'GET') {
  const response = await fetch(`${system.url()}${path}`, {
    method,
    headers: userId ? { authorization: `Bearer ${mintToken(userId)}` } : {},
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  // Started together, as `npm start` does: on fresh subjects both race to register the schemas.
  await Promise.all([system.startPersister(), system.startGateway(), system.startGateway()]);
});
afterEach(() => system.closeClients());
afterAll(() => system.stop());

describe('message:send', () => {
  it('acks only after the message is stored, with the stored message', async () => {
    const [alice, bob] = [newUser('alice'), newUser('bob')];
    const client = await connect(alice);
    const message = await sendStored(client, bob, 'hello bob', 'c-1');
    expect(message).toMatchObject({
      senderId: alice,
      recipientId: bob,
      clientMessageId: 'c-1',
      text: 'hello bob',
      seq: 1,
    });
    expect(message.id).toMatch(/^msg_/);
    expect(new Date(message.createdAt).toISOString()).toBe(message.createdAt);
    const stored = await system.db.collection('messages').findOne({ _id: message.id as never });
    expect(stored).toMatchObject({ conversationId: message.conversationId, seq: 1, text: 'hello bob' });
  });

  it('delivers message:new to every socket of both participants, and to nobody else', async () => {
    const [alice, bob, carol] = [newUser('alice'), newUser('bob'), newUser('carol')];
    const [aliceSender, alicePhone, bobLaptop, bobPhone, carolClient] = await Promise.all([
      connect(alice),
      connect(alice),
      connect(bob),
      connect(bob),
      connect(carol),
    ]);
    const carolMessages: MessageDto[] = [];
    carolClient.on('message:new', (m) => carolMessages.push(m));
    const deliveries = [aliceSender, alicePhone, bobLaptop, bobPhone].map((client) => nextMessage(client));
    const sent = await sendStored(aliceSender, bob, 'to all devices');
    for (const delivered of await Promise.all(deliveries)) expect(delivered).toEqual(sent);
    // The gateway emits a message to its room before it acks the sender, and one gateway's emits reach a
    // socket in order: had carol been in alice and bob's room, their message would arrive before this one.
    const toCarol = nextMessage(carolClient);
    const forCarol = await sendStored(bobLaptop, carol, 'hi carol');
    await toCarol;
    expect(carolMessages).toEqual([forCarol]);
  });

  it('is idempotent per clientMessageId: a resend acks the same stored message and stores nothing new', async () => {
    const [alice, bob] = [newUser('alice'), newUser('bob')];
    const client = await connect(alice);
    const first = await sendStored(client, bob, 'once', 'same-id');
    const again = await sendStored(client, bob, 'once', 'same-id');
    const fromOtherDevice = await sendStored(
      await connect(alice, system.gateways[1]),
      bob,
      'once',
      'same-id',
    );
    expect(again).toEqual(first);
    expect(fromOtherDevice).toEqual(first);
    expect(
      await system.db.collection('messages').countDocuments({ conversationId: first.conversationId }),
    ).toBe(1);
  });

  it('puts two simultaneous first messages from both sides into one conversation with seq 1 and 2', async () => {
    const [alice, bob] = [newUser('alice'), newUser('bob')];
    const [aliceClient, bobClient] = await Promise.all([connect(alice), connect(bob, system.gateways[1])]);
    const [a, b] = await Promise.all([
      sendStored(aliceClient, bob, 'hi bob'),
      sendStored(bobClient, alice, 'hi alice'),
    ]);
    expect(a.conversationId).toBe(b.conversationId);
    expect([a.seq, b.seq].sort()).toEqual([1, 2]);
    expect(
      await system.db.collection('conversations').countDocuments({ _id: a.conversationId as never }),
    ).toBe(1);
  });

  it('works across gateways: sender on one, recipient on another', async () => {
    const [alice, bob] = [newUser('alice'), newUser('bob')];
    const aliceClient = await connect(alice, system.gateways[0]);
    const bobClient = await connect(bob, system.gateways[1]);
    const delivered = nextMessage(bobClient);
    const sent = await sendStored(aliceClient, bob, 'across gateways');
    expect(await delivered).toEqual(sent);
    const reply = nextMessage(aliceClient, (m) => m.senderId === bob);
    const replied = await sendStored(bobClient, alice, 'and back');
    expect(await reply).toEqual(replied);
    expect(replied.seq).toBe(2);
  });

  it.each([
    ['a missing payload', undefined, '(payload)'],
    ['empty text', { clientMessageId: 'x', otherUserId: 'u2', text: '' }, 'text'],
    ['blank text', { clientMessageId: 'x', otherUserId: 'u2', text: '  \n ' }, 'text'],
    ['non-string text', { clientMessageId: 'x', otherUserId: 'u2', text: 42 }, 'text'],
    ['over-long text', { clientMessageId: 'x', otherUserId: 'u2', text: 'a'.repeat(4001) }, 'text'],
    ['a missing otherUserId', { clientMessageId: 'x', text: 'hi' }, 'otherUserId'],
    ['a missing clientMessageId', { otherUserId: 'u2', text: 'hi' }, 'clientMessageId'],
    [
      'an over-long clientMessageId',
      { clientMessageId: 'x'.repeat(65), otherUserId: 'u2', text: 'hi' },
      'clientMessageId',
    ],
    ['an unknown field', { clientMessageId: 'x', otherUserId: 'u2', text: 'hi', admin: true }, '(payload)'],
  ])('rejects %s with VALIDATION_FAILED naming %s', async (_name, payload, field) => {
    const client = await connect(newUser('alice'));
    const ack = await sendMessage(client, payload);
    expect(ack).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    // The failing field, or "(payload)" for the payload as a whole; nothing else.
    expect(ack.ok ? [] : ack.error.details?.map((d) => d.path)).toEqual([field]);
  });

  it('accepts text at exactly the length limit', async () => {
    const message = await sendStored(await connect(newUser('alice')), newUser('bob'), 'é'.repeat(4000));
    expect([...message.text]).toHaveLength(4000);
  });

  it('rejects a message to yourself with VALIDATION_FAILED', async () => {
    const alice = newUser('alice');
    const ack = await sendMessage(await connect(alice), {
      clientMessageId: 'x',
      otherUserId: alice,
      text: 'me',
    });
    expect(ack).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
  });
});

describe('socket authentication', () => {
  const refusal = (options: Parameters<typeof connectClient>[1]) =>
    connectClient(system.url(), options).then(
      () => 'connected',
      (error: Error & { data?: { code: string } }) => error.data?.code,
    );

  it('refuses a missing, malformed, expired or wrongly signed token with UNAUTHORIZED', async () => {
    expect(await refusal({})).toBe('UNAUTHORIZED');
    expect(await refusal({ token: 'not-a-jwt' })).toBe('UNAUTHORIZED');
    expect(await refusal({ token: mintToken('alice', { expiresInSeconds: -10 }) })).toBe('UNAUTHORIZED');
    expect(
      await refusal({ token: mintToken('alice', { secret: 'another-secret-another-secret-123' }) }),
    ).toBe('UNAUTHORIZED');
  });

  it('refuses the query-string token outside development', async () => {
    expect(await refusal({ queryToken: mintToken('alice') })).toBe('UNAUTHORIZED');
  });
});

describe('HTTP routes', () => {
  it('answers 401 with the error shape without a valid bearer token', async () => {
    const response = await http('/api/v1/chat/convo/one-to-one?otherUserId=bob', null, 'POST');
    expect(response).toEqual({
      status: 401,
      body: { error: { code: 'UNAUTHORIZED', message: expect.any(String), retriable: false } },
    });
  });

  it('POST convo/one-to-one answers an empty conversation before the first message and writes nothing', async () => {
    const [alice, bob] = [newUser('alice'), newUser('bob')];
    const { status, body } = await http(`/api/v1/chat/convo/one-to-one?otherUserId=${bob}`, alice, 'POST');
    expect(status).toBe(200);
    const conversation = body.conversation as Record<string, unknown>;
    expect(conversation).toMatchObject({ lastMessage: null, unreadCount: 0, createdAt: null });
    expect(conversation.participants).toEqual(
      [alice, bob].sort().map((userId) => ({ userId, lastReadAt: null, lastDeliveredSeq: 0 })),
    );
    expect(
      await system.db.collection('conversations').countDocuments({ _id: conversation.id as never }),
    ).toBe(0);
  });

  it('POST convo/one-to-one shows the last message and unread count once messages exist', async () => {
    const [alice, bob] = [newUser('alice'), newUser('bob')];
    const client = await connect(alice);
    await sendStored(client, bob, 'one');
    const last = await sendStored(client, bob, 'two');
    const forBob = await http(`/api/v1/chat/convo/one-to-one?otherUserId=${alice}`, bob, 'POST');
    expect(forBob.body.conversation).toMatchObject({
      id: last.conversationId,
      lastMessage: last,
      unreadCount: 2,
    });
    expect((forBob.body.conversation as { createdAt: string }).createdAt).toEqual(expect.any(String));
    const forAlice = await http(`/api/v1/chat/convo/one-to-one?otherUserId=${bob}`, alice, 'POST');
    expect(forAlice.body.conversation).toMatchObject({ unreadCount: 0 });
  });

  it('pages history newest first with a seq cursor, and only for participants', async () => {
    const [alice, bob, carol] = [newUser('alice'), newUser('bob'), newUser('carol')];
    const client = await connect(alice);
    for (let i = 1; i <= 23; i++) await sendStored(client, bob, `m${i}`);

    const seen: number[] = [];
    let cursor: number | null | undefined;
    let pages = 0;
    do {
      const query = `otherUserId=${alice}&limit=10${cursor ? `&from=${cursor}` : ''}`;
      const { status, body } = await http(`/api/v1/chat/convo/one-to-one/message?${query}`, bob);
      expect(status).toBe(200);
      const page = body as unknown as MessagePageResponse;
      seen.push(...page.messages.map((m) => m.seq));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor !== null);
    expect(pages).toBe(3);
    expect(seen).toEqual(Array.from({ length: 23 }, (_, i) => 23 - i));

    const defaultPage = await http(`/api/v1/chat/convo/one-to-one/message?otherUserId=${bob}`, alice);
    expect((defaultPage.body as unknown as MessagePageResponse).messages).toHaveLength(10);

    // Carol can only name conversations she is in: asking about bob gives her own, empty, conversation.
    const carolView = await http(`/api/v1/chat/convo/one-to-one/message?otherUserId=${bob}`, carol);
    expect(carolView.body).toEqual({ messages: [], nextCursor: null });
  });

  it.each([
    ['POST', '/api/v1/chat/convo/one-to-one'],
    ['POST', '/api/v1/chat/convo/one-to-one?otherUserId='],
    ['POST', '/api/v1/chat/convo/one-to-one?otherUserId=SELF'],
    ['GET', '/api/v1/chat/convo/one-to-one/message'],
    ['GET', '/api/v1/chat/convo/one-to-one/message?otherUserId=SELF'],
    ['GET', '/api/v1/chat/convo/one-to-one/message?otherUserId=bob&limit=0'],
    ['GET', '/api/v1/chat/convo/one-to-one/message?otherUserId=bob&limit=101'],
    ['GET', '/api/v1/chat/convo/one-to-one/message?otherUserId=bob&limit=ten'],
    ['GET', '/api/v1/chat/convo/one-to-one/message?otherUserId=bob&from=-3'],
  ])('%s %s is a 400 VALIDATION_FAILED', async (method, path) => {
    const alice = newUser('alice');
    const { status, body } = await http(path.replace('SELF', alice), alice, method);
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: { code: 'VALIDATION_FAILED', message: expect.any(String) } });
  });

  it('answers unknown routes with 404 NOT_FOUND, and health endpoints', async () => {
    expect((await http('/api/v1/nope', newUser('a'))).status).toBe(404);
    expect((await http('/healthz', null)).body).toEqual({ status: 'ok' });
    expect(await http('/readyz', null)).toMatchObject({ status: 200, body: { ready: true } });
  });
});
