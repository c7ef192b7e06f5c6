import { randomUUID } from 'node:crypto';
import { type ChatSocket, sendMessage, TestSystem, testInfra } from '@chat/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

// The test system has npm start's failover setting: a killed persister's partitions move on after about 3 s
// (see docs/reliability.md).
const system = new TestSystem(testInfra());

interface Readiness {
  ready: boolean;
  checks: Record<string, string>;
  reasons?: Record<string, string>;
}

/** The latest gateway's /readyz. */
async function readiness(gateway = system.gateways.at(-1)): Promise<Readiness & { status: number }> {
  const response = await fetch(`${system.url(gateway)}/readyz`);
  return { status: response.status, ...((await response.json()) as Readiness) };
}

/** Polls /readyz until `wanted` says yes; fails after `deadlineMs`. */
async function waitForReadiness(
  wanted: (report: Readiness) => boolean,
  deadlineMs = 60_000,
  gateway = system.gateways.at(-1),
) {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const report = await readiness(gateway);
    if (wanted(report)) return report;
    if (Date.now() > deadline) throw new Error(`readiness never matched; last: ${JSON.stringify(report)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const send = (client: ChatSocket, text: string, timeoutMs = 20_000) =>
  sendMessage(client, { clientMessageId: randomUUID(), otherUserId: 'ready-bob', text }, timeoutMs);

beforeAll(async () => {
  await system.startPersister();
  await system.startGateway();
  await waitForReadiness((report) => report.ready);
});
// The tests kill and stop apps and start them again; when one fails half-way, the next still gets a system.
afterEach(async () => {
  system.closeClients();
  await system.restore({ persisters: 1, gateways: 1 });
});
afterAll(() => system.stop());

describe('gateway readiness', () => {
  it('after a persister is killed and restarted, the first send once /readyz is ready is acked within 5 s', async ({
    annotate,
  }) => {
    const client = await system.connect('ready-alice', system.gateways.at(-1));
    expect(await send(client, 'before the crash')).toMatchObject({ ok: true });

    await system.persisters.at(-1)?.kill();
    const restartedAt = Date.now();
    await system.startPersister();
    await waitForReadiness((report) => report.ready);
    const readyAfterMs = Date.now() - restartedAt;

    const sentAt = Date.now();
    const ack = await send(client, 'first after ready');
    const ackMs = Date.now() - sentAt;
    await annotate(
      `persister restart: /readyz ready after ${readyAfterMs} ms, first send acked in ${ackMs} ms`,
    );
    expect(ack).toMatchObject({ ok: true });
    expect(ackMs).toBeLessThan(5000);
  }, 120_000);

  it('after every app is killed and restarted, the first send once /readyz is ready is acked within 5 s', async ({
    annotate,
  }) => {
    await Promise.all([...system.persisters, ...system.gateways].map((app) => app.kill()));
    const restartedAt = Date.now();
    const [, gateway] = await Promise.all([system.startPersister(), system.startGateway()]);
    await waitForReadiness((report) => report.ready, 60_000, gateway);
    const readyAfterMs = Date.now() - restartedAt;

    const client = await system.connect('ready-alice', gateway);
    const sentAt = Date.now();
    const ack = await send(client, 'first after a full restart');
    const ackMs = Date.now() - sentAt;
    await annotate(`full restart: /readyz ready after ${readyAfterMs} ms, first send acked in ${ackMs} ms`);
    expect(ack).toMatchObject({ ok: true });
    expect(ackMs).toBeLessThan(5000);
  }, 120_000);

  it('with no persister alive, /readyz is 503 with the reason and sends fail fast with a retriable UNAVAILABLE', async () => {
    const client = await system.connect('ready-alice', system.gateways.at(-1));
    for (const persister of system.persisters) await persister.stop();

    const down = await waitForReadiness((report) => !report.ready, 20_000);
    expect(down.status).toBe(503);
    expect(down.checks.persister).toBe('down');
    expect(down.reasons?.persister).toMatch(/no persister/i);

    const sentAt = Date.now();
    const ack = await send(client, 'nobody stores this');
    const failedInMs = Date.now() - sentAt;
    expect(ack).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE', retriable: true } });
    expect(failedInMs).toBeLessThan(1000);

    // Sends resume by themselves once a persister is back.
    await system.startPersister();
    await waitForReadiness((report) => report.ready);
    expect(await send(client, 'stored again', 5000)).toMatchObject({ ok: true });
  }, 120_000);
});
