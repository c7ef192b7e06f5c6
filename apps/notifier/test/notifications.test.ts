import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type Ack,
  type ConversationResponse,
  type InboxPageResponse,
  type MessageNotification,
  WebhookHeaders,
} from '@chat/contracts';
import {
  type AppProcess,
  type ChatSocket,
  createGroup,
  emitWithAck,
  metricSample,
  mintToken,
  scrapeMetrics,
  sendMessage,
  sendStored,
  TEST_WEBHOOK_SECRET,
  TestSystem,
  testInfra,
  waitFor,
} from '@chat/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

/** Long enough for a few sends to fall in one window on a busy machine; short enough to keep the file quick. */
const COALESCE_MS = 3000;

interface Received {
  notification: MessageNotification;
  deliveryId: string;
  /** The signature checked as a receiver must: HMAC-SHA256 of "<timestamp>.<raw body>", in constant time. */
  signatureValid: boolean;
  at: number;
}

/**
 * The test's webhook receiver. Per recipient it answers the scripted statuses in turn (then 200), or never
 * answers at all; every request is recorded with its signature checked.
 */
class Receiver {
  readonly received: Received[] = [];
  readonly scripts = new Map<string, number[]>();
  readonly silent = new Set<string>();
  private readonly server: Server = createServer((request, response) => void this.handle(request, response));

  async start(): Promise<string> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks/chat`;
  }

  for(recipientId: string): Received[] {
    return this.received.filter((entry) => entry.notification.recipientId === recipientId);
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const timestamp = String(request.headers[WebhookHeaders.timestamp.toLowerCase()]);
    const signature = String(request.headers[WebhookHeaders.signature.toLowerCase()]);
    const expected = `sha256=${createHmac('sha256', TEST_WEBHOOK_SECRET).update(`${timestamp}.${raw}`).digest('hex')}`;
    const notification = JSON.parse(raw) as MessageNotification;
    this.received.push({
      notification,
      deliveryId: String(request.headers[WebhookHeaders.deliveryId.toLowerCase()]),
      signatureValid:
        request.headers['content-type'] === 'application/json' &&
        signature.length === expected.length &&
        timingSafeEqual(Buffer.from(signature), Buffer.from(expected)),
      at: Date.now(),
    });
    if (this.silent.has(notification.recipientId)) return;
    response.statusCode = this.scripts.get(notification.recipientId)?.shift() ?? 200;
    response.end();
  }

  stop(): void {
    this.server.closeAllConnections();
    this.server.close();
  }
}

const system = new TestSystem(testInfra());
const receiver = new Receiver();
let notifier: AppProcess;

async function notifierMetric(name: string, labels: Record<string, string> = {}): Promise<number> {
  return metricSample(await scrapeMetrics(notifier), name, labels) ?? 0;
}

async function get<T>(path: string, userId: string): Promise<T> {
  const response = await fetch(`${system.url()}${path}`, {
    headers: { authorization: `Bearer ${mintToken(userId)}` },
  });
  if (!response.ok) throw new Error(`GET ${path} answered ${response.status}`);
  return (await response.json()) as T;
}

beforeAll(async () => {
  const url = await receiver.start();
  await system.startPersister();
  await system.startGateway();
  notifier = await system.startNotifier(url, {
    NOTIFY_COALESCE_MS: String(COALESCE_MS),
    NOTIFY_RETRY_BASE_MS: '200',
  });
});
afterEach(() => system.closeClients());
afterAll(async () => {
  await system.stop();
  receiver.stop();
});

describe('offline notifications', () => {
  it('posts one signed request for a message to a member with no connected socket', async () => {
    const [alice, bob] = [system.newUser('alice'), system.newUser('bob')];
    const client = await system.connect(alice);
    const message = await sendStored(client, bob, `hello ${'x'.repeat(150)}`);

    await waitFor(() => receiver.for(bob).length === 1, 20_000, 'a notification for bob');
    const [request] = receiver.for(bob);
    expect(request?.signatureValid).toBe(true);
    expect(request?.deliveryId).toBe(request?.notification.deliveryId);
    expect(request?.notification).toEqual({
      type: 'message',
      deliveryId: expect.any(String),
      recipientId: bob,
      conversationId: message.conversationId,
      conversationKind: 'one_to_one',
      messageId: message.id,
      seq: message.seq,
      senderId: alice,
      count: 1,
      unreadCount: 1,
      preview: message.text.slice(0, 100),
    });
    // Never for the sender.
    expect(receiver.for(alice)).toEqual([]);
  });

  it('posts nothing for a member who is connected', async () => {
    const [alice, bob] = [system.newUser('alice'), system.newUser('bob')];
    const [aliceClient] = await Promise.all([system.connect(alice), system.connect(bob)]);
    const skippedBefore = await notifierMetric('chat_notifier_skipped_total', { reason: 'connected' });
    await sendStored(aliceClient, bob, 'are you there?');

    // The decision is counted: at the message (bob's presence record came first) or when his record came.
    await waitFor(
      async () =>
        (await notifierMetric('chat_notifier_skipped_total', { reason: 'connected' })) > skippedBefore,
      20_000,
      'the notification skipped as connected',
    );
    expect(receiver.for(bob)).toEqual([]);
  });

  it('coalesces three messages within the window into one request with count 3', async () => {
    const [alice, bob] = [system.newUser('alice'), system.newUser('bob')];
    const client = await system.connect(alice);
    const coalescedBefore = await notifierMetric('chat_notifier_coalesced_total');
    const messages = [];
    for (const text of ['one', 'two', 'three']) messages.push(await sendStored(client, bob, text));

    await waitFor(() => receiver.for(bob).length === 1, 20_000, 'a notification for bob');
    const latest = messages.reduce((a, b) => (b.seq > a.seq ? b : a));
    expect(receiver.for(bob)[0]?.notification).toMatchObject({
      count: 3,
      unreadCount: 3,
      messageId: latest.id,
      seq: 3,
      preview: latest.text,
    });
    expect(await notifierMetric('chat_notifier_coalesced_total')).toBe(coalescedBefore + 2);
  });

  it('retries a receiver that answers 500 twice with the same deliveryId, three requests and no more', async () => {
    const [alice, bob] = [system.newUser('alice'), system.newUser('bob')];
    receiver.scripts.set(bob, [500, 500]);
    const sentBefore = await notifierMetric('chat_notifier_notifications_total', { outcome: 'sent' });
    const client = await system.connect(alice);
    await sendStored(client, bob, 'retry me');

    // Sent means the third answer (200) ended it: no attempt can follow.
    await waitFor(
      async () =>
        (await notifierMetric('chat_notifier_notifications_total', { outcome: 'sent' })) > sentBefore &&
        receiver.for(bob).length === 3,
      30_000,
      'the third attempt answered',
    );
    const requests = receiver.for(bob);
    expect(new Set(requests.map((request) => request.deliveryId)).size).toBe(1);
    expect(requests.every((request) => request.signatureValid)).toBe(true);
    expect(await notifierMetric('chat_notifier_retries_total')).toBeGreaterThanOrEqual(2);
  });

  it('makes one request per offline member of a group', async () => {
    const [alice, bob, carol] = [system.newUser('alice'), system.newUser('bob'), system.newUser('carol')];
    const client = await system.connect(alice);
    const group = await createGroup(client, [bob, carol]);
    const ack = await sendMessage(client, {
      clientMessageId: randomUUID(),
      conversationId: group.id,
      text: 'hi all',
    });
    if (!ack.ok) throw new Error(`send failed: ${JSON.stringify(ack.error)}`);

    await waitFor(
      () => receiver.for(bob).length === 1 && receiver.for(carol).length === 1,
      20_000,
      'a notification for each member',
    );
    for (const member of [bob, carol]) {
      expect(receiver.for(member)[0]?.notification).toMatchObject({
        recipientId: member,
        conversationId: group.id,
        conversationKind: 'group',
        senderId: alice,
        count: 1,
      });
    }
    expect(receiver.for(alice)).toEqual([]);
  });

  it('a receiver that never answers does not delay acks, nor the notifications of others', async () => {
    /** Sends `count` messages one after another, each to its own offline recipient; returns the ack p50 (ms). */
    async function ackP50(client: ChatSocket, recipients: string[]): Promise<number> {
      const times: number[] = [];
      for (const recipient of recipients) {
        const started = performance.now();
        await sendStored(client, recipient, 'measure me');
        times.push(performance.now() - started);
        // Spread over more than the window, so requests are out (and hanging) while acks are measured.
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      times.sort((a, b) => a - b);
      return times[Math.floor(times.length / 2)] as number;
    }
    const alice = system.newUser('alice');
    const client = await system.connect(alice);
    const recipients = (prefix: string) => Array.from({ length: 30 }, () => system.newUser(prefix));

    const healthy = recipients('healthy');
    const healthyP50 = await ackP50(client, healthy);
    await waitFor(
      () => healthy.every((user) => receiver.for(user).length === 1),
      30_000,
      'healthy notifications',
    );

    const dead = recipients('dead');
    for (const user of dead) receiver.silent.add(user);
    const deadP50 = await ackP50(client, dead);
    // Some requests to the dead endpoint are hanging right now; another recipient is notified all the same.
    const other = system.newUser('other');
    await sendStored(client, other, 'still delivered');
    await waitFor(() => receiver.for(other).length === 1, 20_000, 'a notification beside the hanging ones');
    expect(dead.some((user) => receiver.for(user).length > 0)).toBe(true);

    console.error(
      `ack p50 over 30 sends: healthy webhook ${healthyP50.toFixed(1)} ms, never-answering webhook ${deadP50.toFixed(1)} ms`,
    );
    // Loose on purpose: two cores shared with other work. A notifier that held up the message path would add
    // seconds (its 5 s answer timeout), not milliseconds.
    expect(deadP50).toBeLessThan(healthyP50 * 3 + 250);
  });

  it('posts nothing for a conversation the recipient muted', async () => {
    const [alice, bob] = [system.newUser('alice'), system.newUser('bob')];
    const [aliceClient, bobClient] = await Promise.all([system.connect(alice), system.connect(bob)]);
    const first = await sendStored(aliceClient, bob, 'before the mute');
    const muted = await emitWithAck<object>(bobClient, 'conversation:mute', {
      conversationId: first.conversationId,
      until: null,
    });
    expect(muted).toEqual({ ok: true });
    bobClient.close();

    // Until the notifier has seen bob's socket close, a message is skipped as "connected": send until one is
    // decided on his mute. Each message is decided once, one way or the other.
    const skipped = async () => ({
      muted: await notifierMetric('chat_notifier_skipped_total', { reason: 'muted' }),
      connected: await notifierMetric('chat_notifier_skipped_total', { reason: 'connected' }),
    });
    for (let attempt = 1; ; attempt += 1) {
      const before = await skipped();
      await sendStored(aliceClient, bob, 'while muted');
      await waitFor(
        async () => {
          const now = await skipped();
          return now.muted > before.muted || now.connected > before.connected;
        },
        COALESCE_MS + 15_000,
        'the message decided',
      );
      if ((await skipped()).muted > before.muted) break;
      if (attempt === 10) throw new Error('bob still looks connected to the notifier');
    }
    expect(receiver.for(bob)).toEqual([]);
  });
});

describe('muting', () => {
  it("shows the caller's mute on their conversation object and inbox entry, not to the others, until unmuted", async () => {
    const [alice, bob] = [system.newUser('alice'), system.newUser('bob')];
    const [aliceClient, bobClient] = await Promise.all([system.connect(alice), system.connect(bob)]);
    const { conversationId } = await sendStored(aliceClient, bob, 'hi');
    const conversationOf = async (userId: string) =>
      (await get<ConversationResponse>(`/api/v1/chat/convo/${conversationId}`, userId)).conversation.muted;
    const inboxEntryOf = async (userId: string) =>
      (await get<InboxPageResponse>('/api/v1/chat/convo', userId)).conversations.find(
        (c) => c.id === conversationId,
      )?.muted;
    expect(await conversationOf(bob)).toBeNull();

    const until = new Date(Date.now() + 3_600_000).toISOString();
    expect(await emitWithAck(bobClient, 'conversation:mute', { conversationId, until })).toEqual({
      ok: true,
    });
    expect(await conversationOf(bob)).toEqual({ until });
    expect(await inboxEntryOf(bob)).toEqual({ until });
    expect(await conversationOf(alice)).toBeNull();

    // Another device of bob's sees the same mute: it is his, not his socket's.
    expect(await emitWithAck(bobClient, 'conversation:mute', { conversationId, until: null })).toEqual({
      ok: true,
    });
    const bobOtherDevice = await system.connect(bob);
    expect(await conversationOf(bob)).toEqual({ until: null });

    expect(await emitWithAck(bobOtherDevice, 'conversation:unmute', { conversationId })).toEqual({
      ok: true,
    });
    expect(await conversationOf(bob)).toBeNull();
    expect(await inboxEntryOf(bob)).toBeNull();
  });

  it('refuses a malformed mute, and a conversation the caller is not in', async () => {
    const [alice, bob, eve] = [system.newUser('alice'), system.newUser('bob'), system.newUser('eve')];
    const [aliceClient, eveClient] = await Promise.all([system.connect(alice), system.connect(eve)]);
    const { conversationId } = await sendStored(aliceClient, bob, 'hi');
    const code = (ack: Ack<object>) => (ack.ok ? 'ok' : ack.error.code);
    expect(
      code(await emitWithAck(aliceClient, 'conversation:mute', { conversationId, until: 'tomorrow' })),
    ).toBe('VALIDATION_FAILED');
    expect(code(await emitWithAck(aliceClient, 'conversation:mute', { conversationId }))).toBe(
      'VALIDATION_FAILED',
    );
    expect(code(await emitWithAck(eveClient, 'conversation:mute', { conversationId, until: null }))).toBe(
      'NOT_FOUND',
    );
    expect(code(await emitWithAck(eveClient, 'conversation:unmute', { conversationId }))).toBe('NOT_FOUND');
  });
});

// Last: it stops the file's notifier.
describe('graceful shutdown', () => {
  it('sends a notification still waiting in its window at once, and exits 0', async () => {
    const [alice, bob] = [system.newUser('alice'), system.newUser('bob')];
    const client = await system.connect(alice);
    const sentAt = Date.now();
    await sendStored(client, bob, 'just before the stop');
    await waitFor(
      async () => (await notifierMetric('chat_notifier_open_windows')) > 0,
      20_000,
      'a window open',
    );

    expect(await notifier.stop()).toBe(0);
    const requests = receiver.for(bob);
    expect(requests).toHaveLength(1);
    // Earlier than the window could have closed by itself: the stop sent it.
    expect(requests[0]?.at).toBeLessThan(sentAt + COALESCE_MS);
  });
});
