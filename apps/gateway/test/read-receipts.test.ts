import {
  type Ack,
  type ConversationDto,
  type InboxPageResponse,
  type MessagePageResponse,
  type ReadReceiptDto,
  Topics,
} from '@chat/contracts';
import { oneToOneConversationId } from '@chat/storage';
import { type ChatSocket, mintToken, nextMessage, sendStored, TestSystem, testInfra } from '@chat/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const system = new TestSystem(testInfra());
const newUser = (name: string) => system.newUser(name);

const connect = (userId: string) => system.connect(userId);

type ReadAck = Ack<{ conversationId: string; lastReadAt: string }>;
const markRead = (client: ChatSocket, payload: unknown): Promise<ReadAck> =>
  client.timeout(15_000).emitWithAck('conversation:read', payload as { otherUserId: string });

function nextReceipt(client: ChatSocket): Promise<ReadReceiptDto> {
  return new Promise((resolve) => client.once('conversation:read', resolve));
}

async function get<T>(path: string, userId: string): Promise<{ status: number; body: T }> {
  const response = await fetch(`${system.url()}${path}`, {
    headers: { authorization: `Bearer ${mintToken(userId)}` },
  });
  return { status: response.status, body: (await response.json()) as T };
}

async function conversationOf(userId: string, otherUserId: string): Promise<ConversationDto> {
  const response = await fetch(`${system.url()}/api/v1/chat/convo/one-to-one?otherUserId=${otherUserId}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${mintToken(userId)}` },
  });
  return ((await response.json()) as { conversation: ConversationDto }).conversation;
}

beforeAll(async () => {
  await system.startPersister();
  await system.startGateway();
});
afterEach(() => system.closeClients());
afterAll(() => system.stop());

describe('read receipts', () => {
  it('stores the marker, acks after storage, pushes it to the other side and the reader’s other device', async () => {
    const [alice, bob] = [newUser('alice'), newUser('bob')];
    const [aliceClient, bobLaptop, bobPhone] = await Promise.all([
      connect(alice),
      connect(bob),
      connect(bob),
    ]);
    for (const text of ['one', 'two', 'three']) await sendStored(aliceClient, bob, text);
    expect((await conversationOf(bob, alice)).unreadCount).toBe(3);

    const toAlice = nextReceipt(aliceClient);
    const toBobPhone = nextReceipt(bobPhone);
    const ack = await markRead(bobLaptop, { otherUserId: alice });
    expect(ack).toMatchObject({ ok: true, conversationId: oneToOneConversationId(alice, bob) });
    const lastReadAt = ack.ok ? ack.lastReadAt : '';
    const expected = { conversationId: oneToOneConversationId(alice, bob), userId: bob, lastReadAt };
    expect(await toAlice).toEqual(expected);
    expect(await toBobPhone).toEqual(expected);

    const forBob = await conversationOf(bob, alice);
    expect(forBob.unreadCount).toBe(0);
    expect(forBob.participants.find((p) => p.userId === bob)?.lastReadAt).toBe(lastReadAt);
    // Alice can tell her messages were read: each createdAt is at or before bob's marker.
    const forAlice = await conversationOf(alice, bob);
    const bobMarker = forAlice.participants.find((p) => p.userId === bob)?.lastReadAt ?? '';
    expect(new Date(forAlice.lastMessage?.createdAt ?? '').getTime()).toBeLessThanOrEqual(
      new Date(bobMarker).getTime(),
    );

    await sendStored(aliceClient, bob, 'four');
    expect((await conversationOf(bob, alice)).unreadCount).toBe(1);
  });

  it('never moves a marker backwards, also for repeated or out-of-order commands', async () => {
    const [alice, bob] = [newUser('alice'), newUser('bob')];
    const [aliceClient, bobClient] = await Promise.all([connect(alice), connect(bob)]);
    await sendStored(aliceClient, bob, 'hi');
    const first = await markRead(bobClient, { otherUserId: alice });
    const firstAt = first.ok ? first.lastReadAt : '';

    // An old command arriving late (straight onto the topic, as a redelivery would).
    const bus = await system.eventBus('read-test');
    const conversationId = oneToOneConversationId(alice, bob);
    await bus.publish(Topics.conversationRead, [
      { key: conversationId, value: { conversationId, readerId: bob, readAt: Date.parse(firstAt) - 60_000 } },
    ]);
    const lateReceipt = await nextReceipt(aliceClient);
    expect(lateReceipt.lastReadAt).toBe(firstAt);

    const again = await markRead(bobClient, { otherUserId: alice });
    expect(again.ok && Date.parse(again.lastReadAt) >= Date.parse(firstAt)).toBe(true);
  });

  it.each([
    ['no payload', undefined, 'VALIDATION_FAILED'],
    ['a missing otherUserId', {}, 'VALIDATION_FAILED'],
    ['an extra field', { otherUserId: 'x', at: 1 }, 'VALIDATION_FAILED'],
    ['yourself', 'SELF', 'VALIDATION_FAILED'],
    ['a conversation that does not exist yet', { otherUserId: 'nobody-yet' }, 'NOT_FOUND'],
  ])('rejects %s', async (_name, payload, code) => {
    const alice = newUser('alice');
    const client = await connect(alice);
    const ack = await markRead(client, payload === 'SELF' ? { otherUserId: alice } : payload);
    expect(ack).toMatchObject({ ok: false, error: { code } });
  });
});

describe('inbox and catch-up', () => {
  it('lists my conversations by latest activity, pages with a cursor, and filters by updatedSince', async () => {
    const me = newUser('me');
    const friends = [newUser('f1'), newUser('f2'), newUser('f3'), newUser('f4'), newUser('f5')];
    const client = await connect(me);
    for (const friend of friends) await sendStored(client, friend, `hi ${friend}`);
    const since = new Date().toISOString();
    await sendStored(client, friends[1] as string, 'bump');

    const ids: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const { status, body } = await get<InboxPageResponse>(`/api/v1/chat/convo?${query}`, me);
      expect(status).toBe(200);
      ids.push(...body.conversations.map((c) => c.otherUserId ?? 'group'));
      cursor = body.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(ids).toEqual([friends[1], friends[4], friends[3], friends[2], friends[0]]);

    const changed = await get<InboxPageResponse>(
      `/api/v1/chat/convo?updatedSince=${encodeURIComponent(since)}`,
      me,
    );
    expect(changed.body.conversations.map((c) => c.otherUserId)).toEqual([friends[1]]);
    expect(changed.body.conversations[0]).toMatchObject({ unreadCount: 0, lastMessage: { text: 'bump' } });

    const friendView = await get<InboxPageResponse>('/api/v1/chat/convo', friends[1] as string);
    expect(friendView.body.conversations).toHaveLength(1);
    expect(friendView.body.conversations[0]).toMatchObject({ otherUserId: me, unreadCount: 2 });
  });

  it('lets a client that was away fetch exactly what it missed, oldest first, with no gap and no duplicate', async () => {
    const [alice, bob] = [newUser('alice'), newUser('bob')];
    const aliceClient = await connect(alice);
    let bobClient = await connect(bob);
    const seen = nextMessage(bobClient);
    await sendStored(aliceClient, bob, 'before');
    const lastSeen = (await seen).seq;
    bobClient.close();
    for (let i = 1; i <= 7; i++) await sendStored(aliceClient, bob, `missed ${i}`);
    bobClient = await connect(bob);

    const missed: number[] = [];
    let after = lastSeen;
    for (;;) {
      const page = await get<MessagePageResponse>(
        `/api/v1/chat/convo/one-to-one/message?otherUserId=${alice}&after=${after}&limit=3`,
        bob,
      );
      missed.push(...page.body.messages.map((m) => m.seq));
      if (page.body.nextCursor === null) break;
      after = page.body.nextCursor;
    }
    expect(missed).toEqual([2, 3, 4, 5, 6, 7, 8]);
  });

  it.each([
    ['/api/v1/chat/convo?limit=0'],
    ['/api/v1/chat/convo?limit=101'],
    ['/api/v1/chat/convo?cursor=not-ours'],
    ['/api/v1/chat/convo?updatedSince=yesterday'],
    ['/api/v1/chat/convo/one-to-one/message?otherUserId=x&after=-1'],
    ['/api/v1/chat/convo/one-to-one/message?otherUserId=x&after=2&from=5'],
  ])('GET %s is a 400 VALIDATION_FAILED', async (path) => {
    const { status, body } = await get<{ error: { code: string } }>(path, newUser('alice'));
    expect(status).toBe(400);
    expect(body.error.code).toBe('VALIDATION_FAILED');
  });
});
