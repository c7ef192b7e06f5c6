import type { ClientState } from '@chat/client';
import type { MessageDto, MessageHiddenDto, MessageUpdatedDto } from '@chat/contracts';
import { type AppProcess, ChatClient, mintToken, TestSystem, testInfra, waitFor } from '@chat/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

/**
 * The client library against the real stack: a gateway killed mid-conversation, a client resumed from its saved
 * state after 250 messages, a token that expires mid-session. Each test prints its figures (messages, duplicates,
 * gaps) for the record.
 */
const system = new TestSystem(testInfra(), {
  SEND_ACK_TIMEOUT_MS: '3000',
  // A killed gateway's sockets notice within 3 s.
  SOCKET_PING_INTERVAL_MS: '1000',
  SOCKET_PING_TIMEOUT_MS: '2000',
});
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const running = (apps: AppProcess[]) => apps.filter((app) => app.running);

beforeAll(async () => {
  await Promise.all([system.startPersister(), system.startGateway()]);
});
afterEach(async () => {
  await system.closeClients();
  await system.restore({ persisters: 1, gateways: 1 });
});
afterAll(() => system.stop());

/** What a client emitted, checked against the messages it should have seen. */
function figures(received: MessageDto[], expected: MessageDto[]) {
  const ids = received.map((m) => m.id);
  const byConversation = new Map<string, number[]>();
  for (const m of received)
    byConversation.set(m.conversationId, [...(byConversation.get(m.conversationId) ?? []), m.seq]);
  const gaps = [...byConversation.values()].reduce(
    (sum, seqs) => sum + seqs.slice(1).filter((seq, index) => seq !== (seqs[index] as number) + 1).length,
    0,
  );
  const expectedIds = new Set(expected.map((m) => m.id));
  return {
    messages: received.length,
    expected: expected.length,
    duplicates: ids.length - new Set(ids).size,
    gaps,
    missing: expected.filter((m) => !ids.includes(m.id)).length,
    unexpected: received.filter((m) => !expectedIds.has(m.id)).length,
  };
}

async function storedOnce(senderIds: string[]): Promise<{ stored: number; storedTwice: number }> {
  const stored = await system.db
    .collection<{ senderId: string; clientMessageId: string }>('messages')
    .find({ senderId: { $in: senderIds } })
    .toArray();
  const keys = stored.map((m) => `${m.senderId}/${m.clientMessageId}`);
  return { stored: stored.length, storedTwice: keys.length - new Set(keys).size };
}

describe('ChatClient over the real stack', () => {
  it('a gateway SIGKILLed mid-conversation: every send resolves, stored once, received once each in order', async ({
    annotate,
  }) => {
    const [alice, bob] = [system.newUser('alice'), system.newUser('bob')];
    const sender = system.chatClient(alice, { sendTimeoutMs: 60_000 });
    const recipient = system.chatClient(bob);
    const received: MessageDto[] = [];
    recipient.on('message', (message) => received.push(message));
    const retried: string[] = [];
    sender.on('attempt', (attempt) => attempt.outcome !== 'acked' && retried.push(attempt.outcome));
    await Promise.all([sender.connect(), recipient.connect()]);

    const total = 60;
    const sends: Array<Promise<MessageDto>> = [];
    let restart: Promise<unknown> | undefined;
    let sentWhileOffline = 0;
    for (let index = 0; index < total; index++) {
      if (sender.status !== 'online') sentWhileOffline += 1;
      sends.push(
        sender.send({ otherUserId: bob, text: `message ${index}`, clientMessageId: `${alice}-${index}` }),
      );
      if (index === 20) {
        // Mid-conversation, with sends in flight: SIGKILL, then a new gateway (on a new port) at once.
        restart = (async () => {
          await running(system.gateways)[0]?.kill();
          await system.startGateway();
        })();
      }
      await pause(40);
    }
    const stored = await Promise.all(sends);
    await restart;
    expect(stored.map((m) => m.text)).toEqual(Array.from({ length: total }, (_, i) => `message ${i}`));
    expect(stored.map((m) => m.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    await waitFor(() => received.length >= total, 30_000, 'the recipient received every message');
    await pause(500); // and nothing more arrives

    const result = {
      ...figures(received, stored),
      ...(await storedOnce([alice])),
      retried: retried.length,
      sentWhileOffline,
      recipientCatchUpPages: recipient.stats.catchUpPages,
    };
    await annotate(`gateway SIGKILL: ${JSON.stringify(result)}`);
    expect(result).toMatchObject({
      messages: total,
      duplicates: 0,
      gaps: 0,
      missing: 0,
      stored: total,
      storedTwice: 0,
    });
    expect(received.map((m) => m.id)).toEqual(stored.map((m) => m.id));
    expect(sender.stats.connections, 'the sender reconnected').toBeGreaterThanOrEqual(2);
    expect(recipient.stats.connections, 'the recipient reconnected').toBeGreaterThanOrEqual(2);
  });

  it('a client resumed from its saved state gets exactly the 250 messages stored while it was away, in order, paged', async ({
    annotate,
  }) => {
    const [carol, dave, erin, frank] = ['carol', 'dave', 'erin', 'frank'].map((name) =>
      system.newUser(name),
    ) as [string, string, string, string];
    const senders = [dave, erin, frank].map((userId) => system.chatClient(userId));
    await Promise.all(senders.map((client) => client.connect()));
    const [daveClient, erinClient, frankClient] = senders as [ChatClient, ChatClient, ChatClient];

    // Carol knows her conversations with dave and erin, then saves her state and goes away.
    const before = system.chatClient(carol);
    const seenBefore: MessageDto[] = [];
    before.on('message', (message) => seenBefore.push(message));
    await before.connect();
    await daveClient.send({ otherUserId: carol, text: 'dave 0' });
    await erinClient.send({ otherUserId: carol, text: 'erin 0' });
    await waitFor(() => seenBefore.length === 2, 10_000, 'carol saw the first two');
    const saved = JSON.parse(JSON.stringify(before.state())) as ClientState;
    await before.close();
    expect(Object.keys(saved.conversations)).toHaveLength(2);

    // 250 messages meanwhile: 120 from dave, 90 from erin, and 40 from frank, a conversation new to her.
    const plan: Array<[ChatClient, number, string]> = [
      [daveClient, 120, 'dave'],
      [erinClient, 90, 'erin'],
      [frankClient, 40, 'frank'],
    ];
    const sent = (
      await Promise.all(
        plan.map(async ([client, count, name]) => {
          const stored: MessageDto[] = [];
          for (let index = 1; index <= count; index++)
            stored.push(await client.send({ otherUserId: carol, text: `${name} ${index}` }));
          return stored;
        }),
      )
    ).flat();
    expect(sent).toHaveLength(250);

    // Delivered markers come back to the senders: one per conversation, not one per message.
    let deliveredReceipts = 0;
    daveClient.on('delivered', (receipt) => {
      if (receipt.userId === carol) deliveredReceipts += 1;
    });
    const resumed = system.chatClient(carol, {
      state: saved,
      pageSize: 50,
      autoDelivered: { debounceMs: 200 },
    });
    const received: MessageDto[] = [];
    resumed.on('message', (message) => received.push(message));
    await resumed.connect();
    // Everything was emitted by the time connect() resolved: the catch-up comes before live messages.
    const atConnect = received.length;
    await pause(1000);

    const result = {
      ...figures(received, sent),
      pages: resumed.stats.catchUpPages,
      atConnect,
      deliveredReceipts,
    };
    await annotate(`resumed from state: ${JSON.stringify(result)}`);
    expect(result).toMatchObject({
      messages: 250,
      duplicates: 0,
      gaps: 0,
      missing: 0,
      unexpected: 0,
      atConnect: 250,
    });
    for (const name of ['dave', 'erin', 'frank'])
      expect(received.filter((m) => m.text.startsWith(`${name} `)).map((m) => m.text)).toEqual(
        sent.filter((m) => m.text.startsWith(`${name} `)).map((m) => m.text),
      );
    // Paged: 120 after seq 1 in pages of 50 is 3 pages, 90 is 2, and the new conversation is found newest first.
    expect(resumed.stats.catchUpPages).toBeGreaterThanOrEqual(7);
    await waitFor(() => deliveredReceipts > 0, 10_000, "dave's delivered receipt");
    expect(deliveredReceipts).toBeLessThanOrEqual(2);
    const daveConversation = await resumed.api.conversation(sent[0]?.conversationId as string);
    expect(daveConversation.participants.find((p) => p.userId === carol)?.lastDeliveredSeq).toBe(121);
    expect(resumed.state().conversations).toMatchObject({
      [sent[0]?.conversationId as string]: 121,
      [sent[120]?.conversationId as string]: 91,
      [sent[210]?.conversationId as string]: 40,
    });
  });

  it('a token that expires mid-session is refreshed, and no send is lost', async ({ annotate }) => {
    const [grace, heidi] = [system.newUser('grace'), system.newUser('heidi')];
    const tokens: string[] = [];
    // The first token has expired already (the handshake is refused UNAUTHORIZED); each later one lasts 3 s.
    const sender = system.chatClient(grace, {
      token: () => {
        tokens.push(grace);
        return mintToken(grace, { expiresInSeconds: tokens.length === 1 ? -10 : 3 });
      },
    });
    const recipient = system.chatClient(heidi);
    const received: MessageDto[] = [];
    recipient.on('message', (message) => received.push(message));
    await Promise.all([sender.connect(), recipient.connect()]);

    const sends: Array<Promise<MessageDto>> = [];
    const started = Date.now();
    for (let index = 0; Date.now() - started < 8000; index++) {
      sends.push(
        sender.send({ otherUserId: heidi, text: `t ${index}`, clientMessageId: `${grace}-${index}` }),
      );
      await pause(50);
    }
    const stored = await Promise.all(sends);
    await waitFor(() => received.length >= stored.length, 20_000, 'heidi received every message');
    await pause(300);

    const result = {
      ...figures(received, stored),
      ...(await storedOnce([grace])),
      tokensFetched: tokens.length,
      connections: sender.stats.connections,
    };
    await annotate(`token refresh: ${JSON.stringify(result)}`);
    expect(result).toMatchObject({
      duplicates: 0,
      gaps: 0,
      missing: 0,
      storedTwice: 0,
      stored: stored.length,
    });
    expect(received.map((m) => m.id)).toEqual(stored.map((m) => m.id));
    // Refused once at the start, then expired at least twice in 8 s: at least four tokens, three sessions.
    expect(tokens.length).toBeGreaterThanOrEqual(4);
    expect(sender.stats.connections).toBeGreaterThanOrEqual(3);
  });

  it('rejects a non-retriable failure at once, a passed deadline with UNAVAILABLE when nothing answered, and a refused token', async () => {
    const ivan = system.newUser('ivan');
    const client = system.chatClient(ivan, { sendTimeoutMs: 30_000 });
    await client.connect();
    const started = Date.now();
    const refused = await client
      .send({ conversationId: 'grp_nothing_here_at_all', text: 'hi' })
      .catch((e) => e);
    expect(refused).toMatchObject({ name: 'ChatClientError', code: 'NOT_FOUND', retriable: false });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(client.state().outbox).toEqual([]);

    // Nobody listens at this address: the send waits in the outbox, then gives up at its deadline.
    const nowhere = new ChatClient({
      url: 'http://127.0.0.1:9',
      token: mintToken(ivan),
      sendTimeoutMs: 1500,
    });
    void nowhere.connect().catch(() => {});
    const pending = nowhere.send({ otherUserId: 'someone', text: 'hello?', clientMessageId: 'kept' });
    expect(nowhere.state().outbox.map((entry) => entry.clientMessageId)).toEqual(['kept']);
    const late = await pending.catch((e) => e);
    expect(late).toMatchObject({ code: 'UNAVAILABLE', retriable: true });
    await nowhere.close();

    // A fixed token the gateway refuses: nothing a retry could cure, so connect() rejects and the client stops.
    const badToken = system.chatClient(ivan, { token: 'not-a-token' });
    const waiting = badToken.send({ otherUserId: 'someone', text: 'never', clientMessageId: 'kept-too' });
    await expect(badToken.connect()).rejects.toMatchObject({ code: 'UNAUTHORIZED', retriable: false });
    await expect(waiting).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect(badToken.status).toBe('closed');
    expect(badToken.state().outbox.map((entry) => entry.clientMessageId)).toEqual(['kept-too']);
  });

  it('a client resumed from a state with an unsent outbox sends it, with the same ids, once', async () => {
    const [judy, kim] = [system.newUser('judy'), system.newUser('kim')];
    // Offline from the start (nobody listens there): both sends wait in the outbox, and the state keeps them.
    const offline = new ChatClient({ url: 'http://127.0.0.1:9', token: mintToken(judy) });
    const lost = [
      offline.send({ otherUserId: kim, text: 'first', clientMessageId: 'o-1' }),
      offline.send({ otherUserId: kim, text: 'second', clientMessageId: 'o-2' }),
    ].map((send) => send.catch((error) => error));
    const saved = JSON.parse(JSON.stringify(offline.state())) as ClientState;
    await offline.close();
    expect(await Promise.all(lost)).toMatchObject([{ code: 'UNAVAILABLE' }, { code: 'UNAVAILABLE' }]);

    // A conversation she never was in (a state from elsewhere): reported, and no reason not to go online.
    saved.conversations.dm_nobody_has_this_one_x = 4;
    const resumed = system.chatClient(judy, { state: saved });
    const received: MessageDto[] = [];
    const errors: string[] = [];
    resumed.on('message', (message) => received.push(message));
    resumed.on('error', (error) => errors.push(error.code));
    await resumed.connect();
    expect(errors).toEqual(['NOT_FOUND']);
    await waitFor(() => received.length === 2, 15_000, 'both outbox messages stored and emitted');
    expect(received.map((m) => [m.clientMessageId, m.text, m.seq])).toEqual([
      ['o-1', 'first', 1],
      ['o-2', 'second', 2],
    ]);
    // A sender's own message may be pushed a moment before its ack, which is what empties the outbox.
    await waitFor(() => resumed.state().outbox.length === 0, 15_000, 'both sends acked');
    expect(await storedOnce([judy])).toEqual({ stored: 2, storedTwice: 0 });
  });

  it('groups, typing, presence and read receipts through the typed methods', async () => {
    const [lee, mia] = [system.newUser('lee'), system.newUser('mia')];
    const [admin, member] = [system.chatClient(lee), system.chatClient(mia)];
    await Promise.all([admin.connect(), member.connect()]);
    const updates: string[] = [];
    member.on('conversation', (update) => updates.push(update.change));
    const typing = new Promise((resolve) => member.on('typing', resolve));
    const read = new Promise((resolve) => admin.on('read', resolve));

    const group = await admin.createGroup({ name: 'crew', memberIds: [mia] });
    const received = new Promise<MessageDto>((resolve) => member.on('message', resolve));
    const stored = await admin.send({ conversationId: group.id, text: 'hello crew' });
    expect(await received).toEqual(stored);
    admin.startTyping(group.id);
    expect(await typing).toEqual({ conversationId: group.id, userId: lee, isTyping: true });
    await member.markRead({ conversationId: group.id });
    expect(await read).toMatchObject({ conversationId: group.id, userId: mia });
    expect(await member.markDelivered(group.id, 1)).toMatchObject({ lastDeliveredSeq: 1 });
    const [presence] = await member.subscribePresence([lee]);
    expect(presence).toMatchObject({ userId: lee, online: true });
    expect((await admin.removeMember(group.id, mia)).map((p) => p.userId)).toEqual([lee]);
    await waitFor(() => updates.length === 2, 10_000, 'mia told of her removal');
    expect(updates).toEqual(['create', 'remove']);
  });
  it('replies, edits, reactions and deletions through the typed methods, with receipts, versions and changes', async () => {
    const [nia, oto] = [system.newUser('nia'), system.newUser('oto')];
    const [author, reader] = [system.chatClient(nia), system.chatClient(oto)];
    const updates: MessageUpdatedDto[] = [];
    const hidden: MessageHiddenDto[] = [];
    reader.on('updated', (update) => updates.push(update));
    author.on('hidden', (event) => hidden.push(event));
    await Promise.all([author.connect(), reader.connect()]);

    const first = await author.send({ otherUserId: oto, text: 'lunch at noon?' });
    const reply = await reader.send({ otherUserId: nia, text: 'yes', replyToId: first.id });
    expect(reply.replyTo).toEqual({ id: first.id, seq: 1, senderId: nia, text: 'lunch at noon?' });

    // A retry with the same clientRequestId makes no second version.
    const edited = await author.edit(first.id, 'lunch at one?', 'edit-1');
    expect(await author.edit(first.id, 'lunch at one?', 'edit-1')).toMatchObject({ version: 2 });
    expect(edited).toMatchObject({ version: 2, text: 'lunch at one?', editedAt: expect.any(String) });
    expect(await reader.react(first.id, ['👍'])).toMatchObject({
      reactions: [{ emoji: '👍', userIds: [oto] }],
    });
    // message:updated may come more than once (a retried edit is answered again): look at what changed.
    const told = (change: string, id: string) =>
      updates.some((update) => update.change === change && update.message.id === id);
    await waitFor(() => told('reactions', first.id), 10_000, 'the reader told of the reaction');
    expect(told('edit', first.id)).toBe(true);
    expect(new Set(updates.map((update) => update.message.version))).toEqual(new Set([2]));
    await expect(reader.edit(first.id, 'not mine')).rejects.toMatchObject({ code: 'FORBIDDEN' });

    expect(await author.api.versions(first.conversationId, first.id)).toMatchObject({
      versions: [{ text: 'lunch at noon?' }, { text: 'lunch at one?' }],
    });
    await reader.markRead({ otherUserId: nia });
    expect(await author.api.receipts(first.conversationId, first.id)).toEqual({
      readBy: [oto],
      deliveredTo: [oto],
    });

    await author.deleteMessage(reply.id, 'me');
    await waitFor(() => hidden.length === 1, 10_000, 'the author told of her own hide');
    expect(hidden).toEqual([{ conversationId: first.conversationId, messageId: reply.id }]);
    await author.deleteMessage(first.id, 'everyone');
    await waitFor(
      () => told('delete', first.id) && told('delete', reply.id),
      10_000,
      'the reader told of the deletion and of the emptied quote',
    );
    // Both took a new changeSeq in the deletion; which one first is not promised.
    const changes = await reader.api.changes(first.conversationId);
    const byId = new Map(changes.messages.map((message) => [message.id, message]));
    expect(byId.size).toBe(2);
    expect(byId.get(first.id)).toMatchObject({ text: '', deletedAt: expect.any(String) });
    expect(byId.get(reply.id)).toMatchObject({ replyTo: { id: first.id, text: '' } });
    const authorView = await author.api.changes(first.conversationId, { after: edited.changeSeq });
    expect(authorView.messages).toContainEqual(expect.objectContaining({ id: reply.id, hiddenForMe: true }));
  });
});
