import { type Ack, type PresenceConnection, type PresenceDto, Topics } from '@chat/contracts';
import { type AppProcess, type ChatSocket, TestSystem, testInfra, waitFor } from '@chat/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

// Short presence timings so the offline bound is seconds, not the production 15 s.
const TIMINGS = {
  PRESENCE_HEARTBEAT_MS: '1000',
  PRESENCE_TTL_MS: '3000',
  PRESENCE_OFFLINE_DEBOUNCE_MS: '500',
};
/** The documented worst case from a gateway's crash to the update (docs/protocol.md): TTL + expiry sweep + debounce. */
const OFFLINE_BOUND_MS = 3000 + 1000 + 500;
/** What the measurement itself adds: 25 ms polling, the update's trip over the socket, timer lag under load. */
const MEASUREMENT_SLACK_MS = 500;
const system = new TestSystem(testInfra(), TIMINGS);
const newUser = (name: string) => system.newUser(name);

const connect = (userId: string, gateway: AppProcess) => system.connect(userId, gateway);

function subscribe(client: ChatSocket, payload: unknown): Promise<Ack<{ presence: PresenceDto[] }>> {
  return client.timeout(10_000).emitWithAck('presence:subscribe', payload as { userIds: string[] });
}

/** Collects every presence:update a client receives; `of(userId)` are those about one user. */
function recordUpdates(client: ChatSocket): PresenceDto[] & { of: (userId: string) => PresenceDto[] } {
  const updates: PresenceDto[] = [];
  client.on('presence:update', (update) => updates.push(update));
  return Object.assign(updates, { of: (userId: string) => updates.filter((u) => u.userId === userId) });
}

/**
 * The two gateways every test uses: the first two still running (a test that restarts them, or a restore
 * after one that failed, appends new ones).
 */
const running = () => system.gateways.filter((gateway) => gateway.running);
const gatewayA = () => running()[0] as AppProcess;
const gatewayB = () => running()[1] as AppProcess;

/** Every presence.connection record the gateways publish; `publishedOf(userId)`: one user's online flags, in order. */
const published: PresenceConnection[] = [];
const publishedOf = (userId: string) => published.filter((r) => r.userId === userId).map((r) => r.online);

beforeAll(async () => {
  await system.startPersister();
  await system.startGateway();
  await system.startGateway();
  const reader = await system.eventBus('presence-test');
  await reader.subscribe({
    groupId: `${system.topicPrefix}connection-reader`,
    fromBeginning: true,
    commitOffsets: false,
    handlers: {
      [Topics.presenceConnection]: async (events) => {
        for (const { value } of events) published.push(value);
      },
    },
  });
});
afterEach(async () => {
  system.closeClients();
  await system.restore({ persisters: 1, gateways: 2 });
});
afterAll(() => system.stop());

describe('presence', () => {
  // "Nothing arrived" is checked against a positive control: a second watched user, carol, whose update must
  // arrive through the same path in the same window, sent just after the one that must not come. Once hers is
  // in, one for bob would have been too; and if propagation broke, waiting for hers fails the test.

  it('is seen across gateways: online when a socket connects anywhere, offline after the last one leaves', async () => {
    const [alice, bob, carol] = [newUser('alice'), newUser('bob'), newUser('carol')];
    const watcher = await connect(alice, gatewayA());
    const updates = recordUpdates(watcher);
    expect(await subscribe(watcher, { userIds: [bob, carol] })).toEqual({
      ok: true,
      presence: [
        { userId: bob, online: false, lastSeenAt: null },
        { userId: carol, online: false, lastSeenAt: null },
      ],
    });

    const bobPhone = await connect(bob, gatewayB());
    const bobLaptop = await connect(bob, gatewayA());
    const carolPhone = await connect(carol, gatewayB());
    await waitFor(() => updates.of(bob).length === 1 && updates.of(carol).length === 1, 5000);
    expect(updates.of(bob)[0]).toMatchObject({ online: true });

    // Bob leaves gateway B but is still on A; carol then leaves B, her only gateway: her offline is the control.
    bobPhone.close();
    carolPhone.close();
    await waitFor(() => updates.of(carol).length === 2, 5000, "carol's offline, the control");
    expect(updates.of(carol)[1]).toMatchObject({ online: false });
    expect(updates.of(bob), 'still online on the other gateway').toHaveLength(1);
    const closedAt = Date.now();
    bobLaptop.close();
    await waitFor(() => updates.of(bob).length === 2, 5000);
    expect(updates.of(bob)[1]).toMatchObject({ online: false });
    expect(Math.abs(new Date(updates.of(bob)[1]?.lastSeenAt ?? 0).getTime() - closedAt)).toBeLessThan(1000);

    const again = await subscribe(watcher, { userIds: [bob] });
    expect(again).toMatchObject({
      ok: true,
      presence: [{ userId: bob, online: false, lastSeenAt: updates.of(bob)[1]?.lastSeenAt }],
    });
  });

  it('debounces a reconnect within the debounce window: no offline/online pair', async () => {
    const [alice, bob, carol] = [newUser('alice'), newUser('bob'), newUser('carol')];
    const watcher = await connect(alice, gatewayA());
    const updates = recordUpdates(watcher);
    await subscribe(watcher, { userIds: [bob, carol] });
    const bobFirst = await connect(bob, gatewayB());
    const carolPhone = await connect(carol, gatewayB());
    await waitFor(() => updates.of(bob).length === 1 && updates.of(carol).length === 1, 5000);
    expect(updates.of(bob)[0]).toMatchObject({ online: true });

    // Bob reconnects once his offline record is out, so the debouncer has a real offline/online pair to swallow
    // (both records are on the topic). Carol leaves for good in the same window: her offline is the control.
    bobFirst.close();
    carolPhone.close();
    await waitFor(() => publishedOf(bob).includes(false), 5000, "bob's offline record");
    await connect(bob, gatewayB());
    await waitFor(() => updates.of(carol).length === 2, 5000, "carol's offline, the control");
    await waitFor(() => publishedOf(bob).length === 3, 5000, "bob's records");
    expect(publishedOf(bob)).toEqual([true, false, true]);
    expect(updates.of(bob), 'no offline/online pair after the first online').toHaveLength(1);
  });

  it('stops pushing after presence:unsubscribe', async () => {
    const [alice, bob, carol] = [newUser('alice'), newUser('bob'), newUser('carol')];
    const watcher = await connect(alice, gatewayA());
    await subscribe(watcher, { userIds: [bob, carol] });
    const updates = recordUpdates(watcher);
    expect(await watcher.timeout(5000).emitWithAck('presence:unsubscribe', { userIds: [bob] })).toEqual({
      ok: true,
    });
    // Bob, then carol, still watched, come online: hers is the control.
    await connect(bob, gatewayB());
    await connect(carol, gatewayB());
    await waitFor(() => updates.of(carol).length === 1, 5000, "carol's online, the control");
    expect(updates.of(bob)).toEqual([]);
  });

  it('reports the users of a SIGKILLed gateway offline within the bound', async () => {
    const [alice, bob] = [newUser('alice'), newUser('bob')];
    const doomed = await system.startGateway();
    await connect(bob, doomed);
    const watcher = await connect(alice, gatewayA());
    const updates = recordUpdates(watcher);
    // Bob's connection reaches gateway A through Kafka, so the ack may predate it; then an update follows.
    const before = await subscribe(watcher, { userIds: [bob] });
    expect(before).toMatchObject({ ok: true, presence: [{ userId: bob }] });
    if (before.ok && !before.presence[0]?.online) await waitFor(() => updates.some((u) => u.online), 5000);

    const killedAt = Date.now();
    await doomed.kill();
    // Wait well past the bound, so a late update is measured and reported rather than timed out.
    const elapsed = await waitFor(() => updates.some((u) => u.userId === bob && !u.online), 15_000);
    expect(elapsed).toBeLessThanOrEqual(OFFLINE_BOUND_MS + MEASUREMENT_SLACK_MS);
    // lastSeenAt is the dead gateway's last heartbeat: no later than the kill, and within a heartbeat of it.
    const lastSeen = new Date(updates.find((u) => !u.online)?.lastSeenAt ?? 0).getTime();
    expect(lastSeen).toBeLessThanOrEqual(killedAt);
    expect(killedAt - lastSeen).toBeLessThan(1000 + 500);
  });

  it('keeps lastSeenAt in MongoDB across a restart of every process', async () => {
    const [alice, bob] = [newUser('alice'), newUser('bob')];
    const bobClient = await connect(bob, gatewayB());
    bobClient.close();
    const closedAt = Date.now();
    // Once the persister recorded it, restart everything.
    const presence = system.db.collection<{ _id: string; lastSeenAt: Date }>('user_presence');
    await waitFor(async () => (await presence.countDocuments({ _id: bob })) > 0, 10_000, 'lastSeenAt stored');
    for (const app of [...system.gateways, ...system.persisters]) await app.stop();
    system.gateways.splice(0);
    system.persisters.splice(0);
    await system.startPersister();
    await system.startGateway();
    await system.startGateway();

    const watcher = await connect(alice, gatewayA());
    const ack = await subscribe(watcher, { userIds: [bob] });
    expect(ack).toMatchObject({ ok: true, presence: [{ userId: bob, online: false }] });
    const lastSeenAt = ack.ok ? new Date(ack.presence[0]?.lastSeenAt ?? 0).getTime() : 0;
    expect(Math.abs(lastSeenAt - closedAt)).toBeLessThan(1000);
    const stored = await presence.findOne({ _id: bob });
    expect(stored?.lastSeenAt).toBeInstanceOf(Date);
  });

  it.each([
    ['no payload', undefined],
    ['a missing userIds', {}],
    ['an empty list', { userIds: [] }],
    ['more than 100 ids', { userIds: Array.from({ length: 101 }, (_, i) => `u${i}`) }],
    ['a non-string id', { userIds: [42] }],
    ['an empty id', { userIds: [''] }],
  ])('rejects %s with VALIDATION_FAILED', async (_name, payload) => {
    const client = await connect(newUser('alice'), gatewayA());
    expect(await subscribe(client, payload)).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED' },
    });
  });
});
