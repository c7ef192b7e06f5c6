import { randomUUID } from 'node:crypto';
import { connect as connectTcp } from 'node:net';
import {
  type ConversationDto,
  type DeliveredReceiptDto,
  type ErrorBody,
  type ReadReceiptDto,
  Topics,
} from '@chat/contracts';
import { isEncodingError } from '@chat/event-bus';
import {
  type ChatSocket,
  connectClient,
  createGroup,
  floodSends,
  mintToken,
  type SendAck,
  sendMessage,
  sendStored,
  TEST_JWT_SECRET,
  TestSystem,
  testInfra,
} from '@chat/testkit';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Misbehaving clients get catalogued codes, nothing they send is stored, and a second user's sends keep
 * their latency. Limits are set low so the floods stay small; production defaults are in docs/protocol.md.
 */
const system = new TestSystem(testInfra());
const limits = {
  SEND_RATE_PER_USER: '10',
  SEND_BURST_PER_USER: '20',
  SOCKET_EVENT_RATE: '20',
  MAX_SOCKETS_PER_USER: '3',
  MARKER_RATE_PER_USER: '5',
  // The floods below ignore RATE_LIMITED for 2 s; only the event flood goes far enough to be cut off.
  SOCKET_REFUSAL_LIMIT: '300',
};
const METRICS_TOKEN = 'metrics-token-of-the-test-deployment';
const ALLOWED_ORIGIN = 'https://chat.example';
const ISSUER = 'https://id.example';
const AUDIENCE = 'chat';
let user = 0;
const newUser = (name: string) => `${name}-${++user}-${system.database.slice(-8)}`;
const url = (index: number) => system.url(system.gateways[index]);
/** The production gateway (origin checks, issuer and audience pinned, METRICS_TOKEN) is the second one. */
const PRODUCTION = 1;
/** The third runs with the production defaults of every limit, for the flood from many sockets. */
const DEFAULTS = 2;

/** How long each flood lasts, so the second user's latency is sampled during it. */
const FLOOD_MS = 2000;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let probe: ChatSocket;
const probeSender = newUser('probe');
const probeRecipient = newUser('probe-peer');
let baseline: LatencySummary;

interface LatencySummary {
  samples: number;
  p50: number;
  max: number;
}

function summarize(latencies: number[]): LatencySummary {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    samples: sorted.length,
    p50: Math.round(sorted[Math.floor(sorted.length / 2)] ?? Number.NaN),
    max: Math.round(sorted.at(-1) ?? Number.NaN),
  };
}

/** Runs `abuse` while the probe user sends one message every 150 ms; returns the probe's ack latencies. */
async function probeDuring(abuse: () => Promise<void>): Promise<LatencySummary> {
  const latencies: number[] = [];
  let abusing = true;
  const probing = (async () => {
    while (abusing || latencies.length < 3) {
      const started = performance.now();
      await sendStored(probe, probeRecipient, 'probe');
      latencies.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  })();
  try {
    await abuse();
  } finally {
    abusing = false;
    await probing;
  }
  return summarize(latencies);
}

/** The probe's latency during abuse stays in a generous bound of its baseline (speed belongs in the bench). */
async function expectProbeUnaffected(
  during: LatencySummary,
  annotate: (message: string) => Promise<unknown>,
  name: string,
) {
  await annotate(
    `${name}: second user's ack p50 ${during.p50} ms, max ${during.max} ms over ${during.samples} sends (baseline p50 ${baseline.p50} ms, max ${baseline.max} ms)`,
  );
  expect(during.max).toBeLessThan(Math.max(2000, 10 * baseline.max));
}

const storedFrom = (senderId: string) => system.db.collection('messages').countDocuments({ senderId });

const refusal = (index: number, options: Parameters<typeof connectClient>[1]) =>
  connectClient(url(index), options).then(
    (client) => {
      client.close();
      return 'connected';
    },
    (error: Error & { data?: { code: string } }) => error.data?.code ?? error.message,
  );

beforeAll(async () => {
  await system.startPersister({ METRICS_TOKEN });
  await system.startGateway(limits);
  await system.startGateway({
    ...limits,
    NODE_ENV: 'production',
    CORS_ORIGINS: ALLOWED_ORIGIN,
    JWT_ISSUER: ISSUER,
    JWT_AUDIENCE: AUDIENCE,
    METRICS_TOKEN,
  });
  await system.startGateway();
  probe = await connectClient(url(0), { token: mintToken(probeSender) });
  const warmUp: number[] = [];
  for (let i = 0; i < 10; i++) {
    const started = performance.now();
    await sendStored(probe, probeRecipient, 'baseline');
    warmUp.push(performance.now() - started);
  }
  baseline = summarize(warmUp.slice(3));
});
afterAll(async () => {
  probe?.close();
  await system.stop();
});

describe('oversized input', () => {
  it.each([
    ['4,001 characters', 4001],
    ['100 KB', 100_000],
    ['just under the 1 MiB frame cap', 1024 * 1024 - 1000],
  ])(
    'answers text of %s with VALIDATION_FAILED naming the limit, and keeps the socket open',
    async (_name, size) => {
      const alice = newUser('alice');
      const client = await system.connect(alice);
      const ack = await sendMessage(client, {
        clientMessageId: randomUUID(),
        otherUserId: 'bob',
        text: 'a'.repeat(size),
      });
      expect(ack).toMatchObject({
        ok: false,
        error: {
          code: 'VALIDATION_FAILED',
          retriable: false,
          details: [{ path: 'text', message: expect.stringContaining('4000') }],
        },
      });
      expect(client.connected).toBe(true);
      await sendStored(client, newUser('bob'), 'still connected');
      expect(await storedFrom(alice)).toBe(1);
    },
  );

  it('closes the connection for a frame above the cap, with the documented reason', async () => {
    const alice = newUser('alice');
    const client = await system.connect(alice);
    const reason = new Promise<string>((resolve) => client.once('disconnect', resolve));
    raw(client).emit('message:send', {
      clientMessageId: 'big',
      otherUserId: 'bob',
      text: 'a'.repeat(1100 * 1024),
    });
    expect(await reason).toBe('transport close');
    expect(await storedFrom(alice)).toBe(0);
  });

  it('answers an HTTP body over the cap with 413 PAYLOAD_TOO_LARGE, and bad JSON with 400', async () => {
    const headers = {
      authorization: `Bearer ${mintToken(newUser('alice'))}`,
      'content-type': 'application/json',
    };
    const path = `${url(0)}/api/v1/chat/convo/one-to-one?otherUserId=bob`;
    for (const [body, status, code] of [
      [JSON.stringify({ text: 'a'.repeat(200_000) }), 413, 'PAYLOAD_TOO_LARGE'],
      ['{"text": ', 400, 'VALIDATION_FAILED'],
    ] as const) {
      const response = await fetch(path, { method: 'POST', headers, body });
      expect(response.status).toBe(status);
      expect(await response.json()).toMatchObject({
        error: { code, message: expect.any(String), retriable: false },
      });
    }
    // A chunked body (no declared length) is cut off at the cap as it streams in.
    const chunked = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 20; i++) controller.enqueue(new TextEncoder().encode(`"${'a'.repeat(10_000)}",`));
        controller.close();
      },
    });
    const streamed = await fetch(path, {
      method: 'POST',
      headers,
      body: chunked,
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect((await fetch(`${url(0)}/healthz`)).status).toBe(200);
  });
});

describe('abuse from one user is refused with a code, and a second user is unaffected', () => {
  it('rate-limits sends across all sockets of a user with RATE_LIMITED and a retry hint', async ({
    annotate,
  }) => {
    const alice = newUser('alice');
    const bob = newUser('bob');
    const sockets = await Promise.all([1, 2, 3].map(() => system.connect(alice)));
    const acks: SendAck[] = [];
    const started = performance.now();
    const during = await probeDuring(async () => {
      // 150 sends a second from three sockets, for the flood's duration.
      const pending: Promise<SendAck>[] = [];
      for (let i = 0; performance.now() - started < FLOOD_MS; i++) {
        pending.push(
          sendMessage(sockets[i % 3] as ChatSocket, {
            clientMessageId: `flood-${i}`,
            otherUserId: bob,
            text: `m${i}`,
          }),
        );
        if (i % 3 === 2) await pause(20);
      }
      acks.push(...(await Promise.all(pending)));
    });
    const limited = acks.filter((ack) => !ack.ok).map((ack) => (ack as { error: ErrorBody }).error);
    expect(limited.length).toBeGreaterThan(0);
    for (const error of limited) {
      expect(error).toMatchObject({
        code: 'RATE_LIMITED',
        retriable: true,
        retryAfterMs: expect.any(Number),
      });
      expect(error.retryAfterMs).toBeGreaterThan(0);
    }
    // Only what was acked is stored; a retry after the hint is accepted.
    expect(await storedFrom(alice)).toBe(acks.filter((ack) => ack.ok).length);
    await new Promise((resolve) => setTimeout(resolve, limited[0]?.retryAfterMs));
    expect(
      await sendMessage(sockets[0] as ChatSocket, {
        clientMessageId: 'after-wait',
        otherUserId: bob,
        text: 'ok',
      }),
    ).toMatchObject({ ok: true });
    await expectProbeUnaffected(
      during,
      annotate,
      `send flood (${acks.length} sends from 3 sockets in ${FLOOD_MS} ms, ${limited.length} RATE_LIMITED)`,
    );
  });

  it('refuses sockets above the per-user cap with TOO_MANY_CONNECTIONS', async () => {
    const alice = newUser('alice');
    await Promise.all([1, 2, 3].map(() => system.connect(alice)));
    expect(await refusal(0, { token: mintToken(alice) })).toBe('TOO_MANY_CONNECTIONS');
    // Another user is not counted against alice.
    expect(await refusal(0, { token: mintToken(newUser('bob')) })).toBe('connected');
  });

  it('answers unknown events with VALIDATION_FAILED, and closes a socket that floods events past RATE_LIMITED', async ({
    annotate,
  }) => {
    const client = raw(await system.connect(newUser('mallory')));
    const unknown = await Promise.all(
      Array.from({ length: 5 }, (_, i) => client.timeout(5000).emitWithAck(`admin:drop-${i}`, {})),
    );
    for (const answer of unknown)
      expect(answer).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    const limited = await Promise.all(
      Array.from({ length: 60 }, () =>
        client.timeout(10_000).emitWithAck('presence:subscribe', { userIds: ['bob'] }),
      ),
    );
    expect(limited.filter((answer) => !answer.ok)[0]?.error).toMatchObject({
      code: 'RATE_LIMITED',
      retriable: true,
      retryAfterMs: expect.any(Number),
    });
    const closed = new Promise<ErrorBody>((resolve) => client.once('session:closed', resolve));
    const reason = new Promise<string>((resolve) => client.once('disconnect', resolve));
    let sent = 0;
    const during = await probeDuring(async () => {
      // 5,000 unknown events a second, until the gateway closes the connection (or the flood's time is up).
      const started = performance.now();
      for (; client.connected && performance.now() - started < FLOOD_MS; sent++) {
        client.emit(`nope:${sent}`, { x: sent });
        if (sent % 50 === 49) await pause(10);
      }
    });
    expect(await closed).toMatchObject({
      code: 'RATE_LIMITED',
      retriable: true,
      retryAfterMs: expect.any(Number),
    });
    expect(await reason).toBe('io server disconnect');
    await expectProbeUnaffected(
      during,
      annotate,
      `event flood (5,000 unknown events/s; closed after ${sent} events)`,
    );
  });

  it('closes a connection that sends malformed frames, and only that one', async ({ annotate }) => {
    const mallory = newUser('mallory');
    let closed = 0;
    const during = await probeDuring(async () => {
      // Connect, send unparsable packets, get closed; again and again for the flood's duration.
      const started = performance.now();
      while (performance.now() - started < FLOOD_MS) {
        const client = await connectClient(url(0), { token: mintToken(mallory) });
        const reason = new Promise<string>((resolve) => client.once('disconnect', resolve));
        const engine = client.io.engine as unknown as { write: (data: string) => void };
        for (let i = 0; i < 20; i++) engine.write(`2[not json ${i}`);
        expect(await reason).toBe('transport close');
        closed += 1;
      }
    });
    expect(probe.connected).toBe(true);
    await expectProbeUnaffected(during, annotate, `malformed frames (${closed} connections closed)`);
  });

  it('tells a socket its token expired (TOKEN_EXPIRED), then disconnects it', async () => {
    const client = await connectClient(url(0), {
      token: mintToken(newUser('alice'), { expiresInSeconds: 2 }),
    });
    const told = new Promise<ErrorBody>((resolve) => client.once('session:expired', resolve));
    const reason = new Promise<string>((resolve) => client.once('disconnect', resolve));
    expect(await told).toEqual({ code: 'TOKEN_EXPIRED', message: expect.any(String), retriable: false });
    expect(await reason).toBe('io server disconnect');
  });

  it.each([
    ['alg none', () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'alice', exp: inSeconds(60) })}.`],
    [
      'the wrong algorithm',
      () => jwt.sign({ sub: 'alice' }, TEST_JWT_SECRET, { algorithm: 'HS512', expiresIn: 60 }),
    ],
    [
      'a wrong key',
      () => jwt.sign({ sub: 'alice' }, `${TEST_JWT_SECRET}-x`, { algorithm: 'HS256', expiresIn: 60 }),
    ],
    ['no exp', () => jwt.sign({ sub: 'alice' }, TEST_JWT_SECRET, { algorithm: 'HS256' })],
    ['an expired exp', () => mintToken('alice', { expiresInSeconds: -5 })],
    [
      'a future nbf',
      () =>
        jwt.sign({ sub: 'alice', nbf: inSeconds(60) }, TEST_JWT_SECRET, {
          algorithm: 'HS256',
          expiresIn: 120,
        }),
    ],
  ])('refuses a socket whose token has %s with UNAUTHORIZED', async (_name, token) => {
    expect(await refusal(0, { token: token() })).toBe('UNAUTHORIZED');
  });

  it('checks issuer and audience where they are configured', async () => {
    const signed = (claims: object) =>
      jwt.sign({ sub: newUser('alice'), ...claims }, TEST_JWT_SECRET, { algorithm: 'HS256', expiresIn: 60 });
    expect(await refusal(PRODUCTION, { token: signed({ iss: ISSUER, aud: AUDIENCE }) })).toBe('connected');
    expect(await refusal(PRODUCTION, { token: signed({ iss: 'https://evil.example', aud: AUDIENCE }) })).toBe(
      'UNAUTHORIZED',
    );
    expect(await refusal(PRODUCTION, { token: signed({ iss: ISSUER, aud: 'other' }) })).toBe('UNAUTHORIZED');
    expect(await refusal(PRODUCTION, { token: signed({}) })).toBe('UNAUTHORIZED');
  });

  it('refuses a browser origin outside CORS_ORIGINS in production with FORBIDDEN', async () => {
    const token = jwt.sign({ sub: newUser('alice'), iss: ISSUER, aud: AUDIENCE }, TEST_JWT_SECRET, {
      algorithm: 'HS256',
      expiresIn: 60,
    });
    expect(await refusal(PRODUCTION, { token, extraHeaders: { origin: 'https://evil.example' } })).toBe(
      'FORBIDDEN',
    );
    expect(await refusal(PRODUCTION, { token, extraHeaders: { origin: ALLOWED_ORIGIN } })).toBe('connected');
    expect(await refusal(PRODUCTION, { token })).toBe('connected');
  });

  it('refuses NoSQL operators where strings are expected, in socket payloads, query strings and paths, storing nothing', async () => {
    const mallory = newUser('mallory');
    const client = await system.connect(mallory);
    for (const payload of [
      { clientMessageId: 'x', otherUserId: { $gt: '' }, text: 'hi' },
      { clientMessageId: { $ne: null }, otherUserId: 'bob', text: 'hi' },
      { clientMessageId: 'x', otherUserId: 'bob', text: { $where: 'sleep(1000)' } },
    ]) {
      expect(await sendMessage(client, payload)).toMatchObject({
        ok: false,
        error: { code: 'VALIDATION_FAILED' },
      });
    }
    expect(
      await client.timeout(5000).emitWithAck('presence:subscribe', { userIds: [{ $gt: '' }] } as never),
    ).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(
      await client.timeout(5000).emitWithAck('conversation:read', { otherUserId: { $ne: 'x' } } as never),
    ).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    for (const [method, query] of [
      ['POST', 'convo/one-to-one?otherUserId[$ne]=1'],
      ['POST', 'convo/one-to-one?otherUserId=bob&otherUserId[$gt]='],
      ['POST', 'convo/one-to-one?otherUserId=a&otherUserId=b'],
      ['GET', 'convo/one-to-one/message?otherUserId[$regex]=.*'],
      ['GET', 'convo?limit[$gt]=1'],
    ]) {
      const response = await fetch(`${url(0)}/api/v1/chat/${query}`, {
        method,
        headers: { authorization: `Bearer ${mintToken(mallory)}` },
      });
      expect(response.status, query).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    }
    // A path parameter is always a string: an operator written there is a literal id that names nothing.
    for (const path of [`convo/${encodeURIComponent('{"$ne":null}')}`, 'convo/$where/message']) {
      const response = await fetch(`${url(0)}/api/v1/chat/${path}`, {
        headers: { authorization: `Bearer ${mintToken(mallory)}` },
      });
      expect(response.status, path).toBe(404);
      expect(await response.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    }
    expect(await storedFrom(mallory)).toBe(0);
  });

  it.each([
    'limit=1e1',
    'limit=0x10',
    'limit=%205',
    'limit=',
    'from=Infinity',
    'from=1.5',
    'after=-1',
    'after=NaN',
    'from=99999999999999999999',
  ])('refuses the page query %s with VALIDATION_FAILED', async (query) => {
    const response = await fetch(`${url(0)}/api/v1/chat/convo/one-to-one/message?otherUserId=bob&${query}`, {
      headers: { authorization: `Bearer ${mintToken(newUser('alice'))}` },
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
  });
});

describe('read and delivered markers', () => {
  it('coalesces a burst of reads per user and conversation: only the highest is stored and pushed, and every one is acked', async () => {
    const [alice, bob] = [newUser('alice'), newUser('bob')];
    const sockets = await Promise.all([1, 2, 3].map(() => system.connect(alice)));
    const bobClient = await system.connect(bob);
    await sendStored(sockets[0] as ChatSocket, bob, 'hello');
    const pushed: ReadReceiptDto[] = [];
    bobClient.on('conversation:read', (receipt) => pushed.push(receipt));
    const acks = await Promise.all(
      Array.from({ length: 90 }, (_, i) =>
        raw(sockets[i % 3] as ChatSocket)
          .timeout(15_000)
          .emitWithAck('conversation:read', { otherUserId: bob }),
      ),
    );
    expect(acks.filter((ack) => !ack.ok)).toEqual([]);
    await pause(2500);
    const acked = acks.map((ack) => (ack as unknown as { lastReadAt: string }).lastReadAt);
    const highest = [...acked].sort().at(-1);
    const conversation = await system.db
      .collection('conversations')
      .findOne({ participantIds: alice }, { projection: { participants: 1 } });
    const participants = (conversation?.participants ?? []) as Array<{ userId: string; lastReadAt: Date }>;
    const stored = participants.find((participant) => participant.userId === alice);
    expect(stored?.lastReadAt.toISOString()).toBe(highest);
    // One write at once, the rest coalesced into one more a second later: two pushes, the last the highest.
    expect(pushed.length).toBeLessThanOrEqual(2);
    expect(pushed.at(-1)?.lastReadAt).toBe(highest);
    for (const lastReadAt of acked) expect(pushed.map((receipt) => receipt.lastReadAt)).toContain(lastReadAt);
  });

  it('coalesces delivered markers the same way', async () => {
    const [alice, bob] = [newUser('alice'), newUser('bob')];
    const aliceClient = await system.connect(alice);
    const bobSockets = await Promise.all([1, 2, 3].map(() => system.connect(bob)));
    const group = await createGroup(aliceClient, [bob]);
    for (const text of ['one', 'two', 'three']) {
      await sendMessage(aliceClient, { clientMessageId: randomUUID(), conversationId: group.id, text });
    }
    const pushed: DeliveredReceiptDto[] = [];
    aliceClient.on('conversation:delivered', (receipt) => pushed.push(receipt));
    const acks = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        raw(bobSockets[i % 3] as ChatSocket)
          .timeout(15_000)
          .emitWithAck('message:delivered', { conversationId: group.id, seq: (i % 3) + 1 }),
      ),
    );
    expect(acks.filter((ack) => !ack.ok)).toEqual([]);
    await pause(2500);
    expect(pushed.length).toBeLessThanOrEqual(2);
    expect(pushed.at(-1)).toEqual({ conversationId: group.id, userId: bob, seq: 3 });
  });

  it('limits marker writes per user across conversations with RATE_LIMITED and retryAfterMs', async () => {
    const [alice, bob] = [newUser('alice'), newUser('bob')];
    const aliceClient = await system.connect(alice);
    const groups: ConversationDto[] = [];
    // MARKER_RATE_PER_USER is 5 here (20 by default).
    for (let i = 0; i < 8; i++) groups.push(await createGroup(aliceClient, [bob]));
    await pause(1100);
    const acks = await Promise.all(
      groups.map((group) =>
        raw(aliceClient).timeout(15_000).emitWithAck('conversation:read', { conversationId: group.id }),
      ),
    );
    const limited = acks.filter((ack) => !ack.ok).map((ack) => ack.error);
    expect(acks.filter((ack) => ack.ok)).toHaveLength(5);
    expect(limited).toHaveLength(3);
    for (const error of limited) {
      expect(error).toMatchObject({
        code: 'RATE_LIMITED',
        retriable: true,
        retryAfterMs: expect.any(Number),
      });
    }
    await pause(Math.max(...limited.map((error) => error?.retryAfterMs ?? 0)) * 3);
    const retry = await raw(aliceClient)
      .timeout(15_000)
      .emitWithAck('message:delivered', { conversationId: groups[7]?.id, seq: 1 });
    expect(retry).toMatchObject({ ok: true });
  });
});

describe('slow and malformed HTTP requests', () => {
  it('answers an unauthenticated request before reading its body, and closes slow requests within 30 s', async ({
    annotate,
  }) => {
    const port = system.gateways[0]?.port as number;
    const post = (authorized: boolean) =>
      [
        'POST /api/v1/chat/convo/one-to-one?otherUserId=bob HTTP/1.1',
        'Host: 127.0.0.1',
        'Content-Type: application/json',
        'Content-Length: 1000',
        ...(authorized ? [`Authorization: Bearer ${mintToken(newUser('slow'))}`] : []),
        '',
        '{',
      ].join('\r\n');
    const [unauthenticated, slowBody, slowHeaders] = await Promise.all([
      trickle(port, post(false), '"'),
      trickle(port, post(true), '"'),
      trickle(port, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n', 'X'),
    ]);
    await annotate(
      `unauthenticated slow body: ${unauthenticated.status} after ${unauthenticated.answeredMs} ms, closed after ${unauthenticated.closedMs} ms; ` +
        `authenticated slow body closed after ${slowBody.closedMs} ms (${slowBody.status}); slow headers closed after ${slowHeaders.closedMs} ms`,
    );
    expect(unauthenticated.status).toBe('401');
    expect(unauthenticated.answeredMs).toBeLessThan(3000);
    expect(unauthenticated.closedMs).toBeLessThan(5000);
    expect(slowBody.closedMs).toBeLessThan(30_000);
    expect(slowHeaders.closedMs).toBeLessThan(30_000);
    expect((await fetch(`${url(0)}/healthz`)).status).toBe(200);
  }, 60_000);

  it.each(['convo/%ZZ', 'convo/%E0%A4%A/message', 'convo/%ED%A0%80'])(
    'answers a malformed %%-escape in the path (%s) with 400 VALIDATION_FAILED, logged below error level',
    async (path) => {
      const gateway = system.gateways[0];
      const errors = () => gateway?.logs.filter((entry) => Number(entry.level) >= 50).length;
      const before = errors();
      const response = await fetch(`${url(0)}/api/v1/chat/${path}`, {
        headers: { authorization: `Bearer ${mintToken(newUser('alice'))}` },
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED', retriable: false } });
      await pause(200);
      expect(errors()).toBe(before);
    },
  );
});

describe('input that used to turn into other ids or retriable errors', () => {
  it('refuses ids that are not well-formed Unicode with VALIDATION_FAILED, in payloads and as the token subject', async () => {
    const alice = newUser('alice');
    const client = raw(await system.connect(alice));
    for (const [event, payload] of [
      ['message:send', { clientMessageId: randomUUID(), otherUserId: '\ud800x', text: 'hi' }],
      ['message:send', { clientMessageId: '\udc00', otherUserId: newUser('bob'), text: 'hi' }],
      ['message:send', { clientMessageId: randomUUID(), conversationId: 'grp_\ud800', text: 'hi' }],
      ['group:create', { clientRequestId: randomUUID(), name: 'team', memberIds: ['\ud800x'] }],
      ['presence:subscribe', { userIds: ['\udfff'] }],
    ] as const) {
      const answer = await client.timeout(15_000).emitWithAck(event, payload);
      expect(answer, `${event} ${JSON.stringify(payload)}`).toMatchObject({
        ok: false,
        error: { code: 'VALIDATION_FAILED', retriable: false },
      });
    }
    const token = mintToken('\ud800x');
    expect(await refusal(0, { token })).toBe('VALIDATION_FAILED');
    const response = await fetch(`${url(0)}/api/v1/chat/convo`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    expect(await system.db.collection('conversations').countDocuments({ participantIds: alice })).toBe(0);
  });

  it('bounds seqs: a delivered marker beyond the bound is VALIDATION_FAILED at once, never a retriable UNAVAILABLE', async () => {
    const alice = newUser('alice');
    const client = await system.connect(alice);
    const group = await createGroup(client, [newUser('bob')]);
    for (const seq of [Number.MAX_SAFE_INTEGER, 2 ** 53, 1e15]) {
      const started = performance.now();
      const answer = await raw(client)
        .timeout(15_000)
        .emitWithAck('message:delivered', { conversationId: group.id, seq });
      expect(answer, String(seq)).toMatchObject({
        ok: false,
        error: { code: 'VALIDATION_FAILED', retriable: false },
      });
      expect(performance.now() - started).toBeLessThan(2000);
    }
    expect(
      await raw(client)
        .timeout(15_000)
        .emitWithAck('message:delivered', { conversationId: group.id, seq: 999_999_999_999_999 }),
    ).toMatchObject({ ok: true });
  });

  it('tells an event that cannot be encoded (a bug, not a downstream outage) by its error', async () => {
    const bus = await system.eventBus('abuse-encoding');
    const failure = await bus
      .publish(Topics.messageDelivered, [
        { key: 'c', value: { conversationId: 'c', userId: 'u', seq: Number.MAX_SAFE_INTEGER } },
      ])
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(failure).toBeInstanceOf(Error);
    expect(isEncodingError(failure)).toBe(true);
    expect(failure).toMatchObject({ retriable: false });
  });
});

describe('a flood from many sockets of one user', () => {
  it('closes the sockets that keep sending past RATE_LIMITED, so another user’s acks keep their latency', async ({
    annotate,
  }) => {
    const gateway = system.gateways[DEFAULTS];
    const probeUser = newUser('probe');
    const peer = newUser('peer');
    const probeClient = await system.connect(probeUser, gateway);
    const probeOnce = async () => {
      const started = performance.now();
      await sendStored(probeClient, peer, 'probe');
      return performance.now() - started;
    };
    /** One send every 100 ms, each on schedule whether or not the previous was acked (a stall is measured). */
    const probeUntil = async (done: () => boolean) => {
      const sends: Array<Promise<number>> = [];
      while (!done()) {
        sends.push(probeOnce());
        await pause(100);
      }
      return Promise.all(sends);
    };
    for (let i = 0; i < 5; i++) await probeOnce();
    const restEnds = performance.now() + 3000;
    const rest = await probeUntil(() => performance.now() > restEnds);

    const flooder = newUser('flooder');
    const options = {
      url: system.url(gateway),
      token: mintToken(flooder),
      peer,
      sockets: 17,
      ratePerSocket: 2000,
      durationMs: 6000,
      reconnectDelayMs: 1000,
    };
    // The flood runs in a process of its own: this one only measures.
    const flood = floodSends(options);
    let flooding = true;
    void flood.finally(() => {
      flooding = false;
    });
    await pause(300);
    const during = await probeUntil(() => !flooding);
    const { sent, connections, answers, closedWith, reconnectRefusals } = await flood;

    const atRest = summarize(rest);
    const inFlood = summarize(during);
    await annotate(
      `flood from ${options.sockets} sockets of one user at ${options.ratePerSocket} sends/s each for ${options.durationMs} ms: ` +
        `${sent} sends on ${connections} connections, answers ${JSON.stringify(answers)}, ${closedWith.length} closed ` +
        `(${[...new Set(closedWith.map((error) => error.code))].join(', ')}), ${reconnectRefusals.length} connects refused ` +
        `(${[...new Set(reconnectRefusals)].join(', ')}); another user's ack p50 at rest ${atRest.p50} ms (max ${atRest.max}), ` +
        `during the flood ${inFlood.p50} ms (max ${inFlood.max}, ${inFlood.samples} sends): ` +
        `${(inFlood.p50 / atRest.p50).toFixed(2)}x, ${inFlood.p50 >= atRest.p50 ? '+' : ''}${inFlood.p50 - atRest.p50} ms`,
    );
    // Every connection the gateway accepted was closed for flooding; the rest (a socket whose first handshake
    // came after another one's closure, and every reconnect) were refused during the cool-down.
    expect(connections).toBeGreaterThan(0);
    expect(closedWith).toHaveLength(connections);
    for (const error of closedWith) {
      expect(error).toMatchObject({
        code: 'RATE_LIMITED',
        retriable: true,
        retryAfterMs: expect.any(Number),
      });
    }
    expect(reconnectRefusals.length).toBeGreaterThan(0);
    expect(new Set(reconnectRefusals)).toEqual(new Set(['RATE_LIMITED']));
    // Only what the user's send rate allows is stored (sends in flight when a socket closed lose their ack).
    const stored = await storedFrom(flooder);
    expect(stored).toBeGreaterThanOrEqual(answers.ok ?? 0);
    expect(stored).toBeLessThanOrEqual(60 + (20 * options.durationMs) / 1000 + 20);
    expect(inFlood.max).toBeLessThan(Math.max(2000, 10 * atRest.max));
  }, 60_000);
});

describe('metrics', () => {
  it('guards /metrics with METRICS_TOKEN where it is set, on the gateway and on the persister', async () => {
    const persister = `http://127.0.0.1:${system.persisters[0]?.port}`;
    for (const base of [url(PRODUCTION), persister]) {
      for (const authorization of [undefined, 'Bearer wrong', `Basic ${METRICS_TOKEN}`]) {
        const response = await fetch(`${base}/metrics`, {
          headers: authorization ? { authorization } : {},
        });
        expect(response.status, `${base} ${authorization}`).toBe(401);
        expect(await response.json()).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
      }
      const scraped = await fetch(`${base}/metrics`, {
        headers: { authorization: `Bearer ${METRICS_TOKEN}` },
      });
      expect(scraped.status).toBe(200);
      expect(await scraped.text()).toContain('process_cpu_user_seconds_total');
    }
    // Without the setting, /metrics stays open (for deployments that keep it on an internal network).
    expect((await fetch(`${url(0)}/metrics`)).status).toBe(200);
  });
});

/** Sends `head`, then one byte of `drip` a second; when the server answers, and when it closes the connection. */
function trickle(
  port: number,
  head: string,
  drip: string,
  giveUpMs = 35_000,
): Promise<{ status: string | undefined; answeredMs: number | undefined; closedMs: number }> {
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = connectTcp(port, '127.0.0.1');
    let status: string | undefined;
    let answeredMs: number | undefined;
    const timer = setInterval(() => {
      if (!socket.destroyed && socket.writable) socket.write(drip);
    }, 1000);
    const giveUp = setTimeout(() => socket.destroy(), giveUpMs);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      if (answeredMs === undefined) {
        answeredMs = Math.round(performance.now() - started);
        status = chunk.split(' ')[1];
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearInterval(timer);
      clearTimeout(giveUp);
      resolve({ status, answeredMs, closedMs: Math.round(performance.now() - started) });
    });
    socket.write(head);
  });
}

/** A client without the typed event map: what a hostile client can emit. */
function raw(client: ChatSocket) {
  return client as unknown as {
    connected: boolean;
    emit: (event: string, ...args: unknown[]) => void;
    once: (event: string, listener: (value: never) => void) => void;
    timeout: (ms: number) => {
      emitWithAck: (event: string, payload: unknown) => Promise<{ ok: boolean; error?: ErrorBody }>;
    };
  };
}

function b64(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function inSeconds(seconds: number): number {
  return Math.floor(Date.now() / 1000) + seconds;
}
