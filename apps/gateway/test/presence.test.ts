import type { Ack, PresenceDto } from '@chat/contracts';
import { type AppProcess, type ChatClient, TestSystem, testInfra, waitFor } from '@chat/testkit';
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

function subscribe(client: ChatClient, payload: unknown): Promise<Ack<{ presence: PresenceDto[] }>> {
  return client.timeout(10_000).emitWithAck('presence:subscribe', payload as { userIds: string[] });
}

/** Collects every presence:update a client receives. */
function recordUpdates(client: ChatClient): PresenceDto[] {
  const updates: PresenceDto[] = [];
  client.on('presence:update', (update) => updates.push(update));
  return updates;
}

let gatewayA: AppProcess;
let gatewayB: AppProcess;

beforeAll(async () => {
  await system.startPersister();
  gatewayA = await system.startGateway();
  gatewayB = await system.startGateway();
});
afterEach(() => system.closeClients());
afterAll(() => system.stop());

describe('presence', () => {
  it('is seen across gateways: online when a socket connects anywhere, offline after the last one leaves', async () => {
    const [alice, bob] = [newUser('alice'), newUser('bob')];
    const watcher = await connect(alice, gatewayA);
    const updates = recordUpdates(watcher);
    expect(await subscribe(watcher, { userIds: [bob] })).toEqual({
      ok: true,
      presence: [{ userId: bob, online: false, lastSeenAt: null }],
    });

    const bobPhone = await connect(bob, gatewayB);
    const bobLaptop = await connect(bob, gatewayA);
    await waitFor(() => updates.length === 1, 5000);
    expect(updates[0]).toMatchObject({ userId: bob, online: true });

    bobPhone.close();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(updates, 'still online on the other gateway').toHaveLength(1);
    const closedAt = Date.now();
    bobLaptop.close();
    await waitFor(() => updates.length === 2, 5000);
    expect(updates[1]).toMatchObject({ userId: bob, online: false });
    expect(Math.abs(new Date(updates[1]?.lastSeenAt ?? 0).getTime() - closedAt)).toBeLessThan(1000);

    const again = await subscribe(watcher, { userIds: [bob] });
    expect(again).toMatchObject({
      ok: true,
      presence: [{ userId: bob, online: false, lastSeenAt: updates[1]?.lastSeenAt }],
    });
  });

  it('debounces a reconnect within the debounce window: no offline/online pair', async () => {
    const [alice, bob] = [newUser('alice'), newUser('bob')];
    const watcher = await connect(alice, gatewayA);
    const updates = recordUpdates(watcher);
    await subscribe(watcher, { userIds: [bob] });
    const bobFirst = await connect(bob, gatewayB);
    await waitFor(() => updates.length === 1, 5000);
    expect(updates[0]).toMatchObject({ userId: bob, online: true });

    bobFirst.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await connect(bob, gatewayB);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(updates, 'no offline/online pair after the first online').toHaveLength(1);
  });

  it('stops pushing after presence:unsubscribe', async () => {
    const [alice, bob] = [newUser('alice'), newUser('bob')];
    const watcher = await connect(alice, gatewayA);
    await subscribe(watcher, { userIds: [bob] });
    const updates = recordUpdates(watcher);
    expect(await watcher.timeout(5000).emitWithAck('presence:unsubscribe', { userIds: [bob] })).toEqual({
      ok: true,
    });
    await connect(bob, gatewayB);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(updates).toEqual([]);
  });

  it('reports the users of a SIGKILLed gateway offline within the bound', async () => {
    const [alice, bob] = [newUser('alice'), newUser('bob')];
    const doomed = await system.startGateway();
    await connect(bob, doomed);
    const watcher = await connect(alice, gatewayA);
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
    const bobClient = await connect(bob, gatewayB);
    bobClient.close();
    const closedAt = Date.now();
    // Once the persister recorded it, restart everything.
    const presence = system.db.collection<{ _id: string; lastSeenAt: Date }>('user_presence');
    await waitFor(async () => (await presence.countDocuments({ _id: bob })) > 0, 10_000, 'lastSeenAt stored');
    for (const app of [...system.gateways, ...system.persisters]) await app.stop();
    system.gateways.splice(0);
    system.persisters.splice(0);
    await system.startPersister();
    gatewayA = await system.startGateway();
    gatewayB = await system.startGateway();

    const watcher = await connect(alice, gatewayA);
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
    const client = await connect(newUser('alice'), gatewayA);
    expect(await subscribe(client, payload)).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED' },
    });
  });
});
