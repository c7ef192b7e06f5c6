import { type AppProcess, PrivateDatabase, TestSystem, testInfra } from '@chat/testkit';
import { afterAll, afterEach, beforeAll, describe, it } from 'vitest';
import { CHAOS_ENV, expectNothingLost, FROZEN_MS, freezeFor, killAndRestart, runFaultCase } from './load.js';

/**
 * Faults under a steady send load across two gateways: the persister, a gateway and the database are each
 * SIGKILLed and restarted, or SIGSTOPped for longer than the session timeout and then resumed. Afterwards,
 * against the database and what the clients received: nothing acked is lost, nothing is stored twice, seqs
 * have no gaps, and every send was acked in the end, with only retriable codes on the way. The figures (time
 * to first ack, back to steady) are reported for docs/reliability.md. The database is a private one: the
 * shared stack's is never disturbed. Kafka and registry faults are in infrastructure.test.ts.
 */
const database = await PrivateDatabase.start();
const system = new TestSystem({ ...testInfra(), mongodbUri: database.uri }, CHAOS_ENV);
const latest = (processes: AppProcess[]) => processes.filter((p) => p.running).at(-1) as AppProcess;

beforeAll(async () => {
  await system.startPersister();
  await Promise.all([system.startGateway(), system.startGateway()]);
});
// Whatever a case did and however it ended, the next starts with a database, a persister and two gateways.
afterEach(async () => {
  await database.restore();
  await system.restore({ persisters: 1, gateways: 2 });
});
afterAll(async () => {
  await system.stop();
  await database.stop();
});

describe.each([
  {
    process: 'persister',
    fault: 'SIGKILL, restart',
    gatewaysAnswerEverySend: true,
    inject: () =>
      killAndRestart(
        () => latest(system.persisters).kill(),
        () => system.startPersister(),
      ),
  },
  {
    process: 'persister',
    fault: `SIGSTOP ${FROZEN_MS / 1000} s, SIGCONT`,
    gatewaysAnswerEverySend: true,
    inject: () => freezeFor(latest(system.persisters)),
  },
  {
    process: 'gateway',
    fault: 'SIGKILL, restart',
    gatewaysAnswerEverySend: false,
    inject: () =>
      killAndRestart(
        () => latest(system.gateways).kill(),
        () => system.startGateway(),
      ),
  },
  {
    process: 'gateway',
    fault: `SIGSTOP ${FROZEN_MS / 1000} s, SIGCONT`,
    gatewaysAnswerEverySend: false,
    inject: () => freezeFor(latest(system.gateways)),
  },
  {
    process: 'database',
    fault: 'SIGKILL, restart',
    gatewaysAnswerEverySend: true,
    inject: () =>
      killAndRestart(
        () => database.kill(),
        () => database.restart(),
      ),
  },
  {
    process: 'database',
    fault: `SIGSTOP ${FROZEN_MS / 1000} s, SIGCONT`,
    gatewaysAnswerEverySend: true,
    inject: () => freezeFor(database),
  },
])('$process: $fault', ({ process, fault, gatewaysAnswerEverySend, inject }) => {
  it('loses, duplicates and skips nothing; every send is acked after retriable answers only', async ({
    annotate,
  }) => {
    const result = await runFaultCase(system, `chaos-${process}`, inject);
    await annotate(`${process} | ${fault} | ${JSON.stringify(result)}`);
    expectNothingLost(result, { gatewaysAnswerEverySend });
  });
});
