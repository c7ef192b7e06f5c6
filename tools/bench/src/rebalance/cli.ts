/**
 * `pnpm bench:rebalance`: what moving partitions between persisters costs, on the local stack.
 *
 * Two persisters and one gateway, a steady load over many conversations (so every partition is busy), then:
 *   1. one persister is SIGKILLed: how long until its partitions flow again (the last message sent right after
 *      the kill is acked when the survivor has taken them over) — the session timeout plus a rebalance;
 *   2. a third persister is started: how long from its spawn until it stores its first batch.
 *   3. it is stopped gracefully (it leaves the group): how long until its partitions flow again.
 * Sends are not retried during the measurement (a long ack timeout), so each figure is one wait, not retries.
 * Usage: pnpm bench:rebalance [--session-timeout-ms 3000] [--rate 100] [--rounds 3]
 * The session timeout defaults to npm start's.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { TestSystem } from '@chat/harness';
import { DEV_SESSION_TIMEOUT_MS, loadStackConfig, stackUrls } from '@chat/stack';

const { values } = parseArgs({
  options: {
    'session-timeout-ms': { type: 'string', default: String(DEV_SESSION_TIMEOUT_MS) },
    rate: { type: 'string', default: '100' },
    rounds: { type: 'string', default: '3' },
  },
});
const sessionTimeoutMs = Number(values['session-timeout-ms']);
const rate = Number(values.rate);
const rounds = Number(values.rounds);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Sent {
  at: number;
  ackedAt?: number;
}

interface RoundResult {
  killToFlowMs: number;
  startToFirstBatchMs: number;
  leaveToFlowMs: number;
}

async function round(): Promise<RoundResult> {
  const system = new TestSystem(
    { ...stackUrls(loadStackConfig()), kind: 'local' },
    {
      KAFKA_PARTITIONS: '6',
      KAFKA_SESSION_TIMEOUT_MS: String(sessionTimeoutMs),
      SEND_ACK_TIMEOUT_MS: '60000',
      LOG_LEVEL: 'debug',
    },
  );
  try {
    await system.startPersister();
    await system.startPersister();
    await system.startGateway();
    const users = await system.connectPairs('rb', 30);
    const sent: Sent[] = [];
    let running = true;
    const load = (async () => {
      for (let n = 0; running; n++) {
        const { client, peer } = users[n % users.length] as (typeof users)[number];
        const record: Sent = { at: Date.now() };
        sent.push(record);
        void client
          .timeout(90_000)
          .emitWithAck('message:send', {
            clientMessageId: randomUUID(),
            otherUserId: peer,
            text: 'rebalance probe',
          })
          .then((ack) => {
            if (ack.ok) record.ackedAt = Date.now();
          })
          .catch(() => {});
        await pause(1000 / rate);
      }
    })();
    /** Time from `at` until every message sent in the following second was acked. */
    const flowingAgainAfter = async (at: number) => {
      await pause(1000);
      const window = sent.filter((s) => s.at >= at && s.at < at + 1000);
      const deadline = Date.now() + 120_000;
      while (window.some((s) => s.ackedAt === undefined) && Date.now() < deadline) await pause(50);
      return Math.max(...window.map((s) => (s.ackedAt ?? Number.NaN) - at));
    };

    await pause(3000);
    const killedAt = Date.now();
    await system.persisters[0]?.kill();
    const killToFlowMs = await flowingAgainAfter(killedAt);

    await pause(2000);
    const startedAt = Date.now();
    const third = await system.startPersister();
    while (!third.logs.some((entry) => entry.msg === 'batch stored')) await pause(20);
    const firstBatch = third.logs.find((entry) => entry.msg === 'batch stored');
    const startToFirstBatchMs = Number(firstBatch?.time) - startedAt;

    await pause(3000);
    const leftAt = Date.now();
    await third.stop();
    const leaveToFlowMs = await flowingAgainAfter(leftAt);

    running = false;
    await load;
    return { killToFlowMs, startToFirstBatchMs, leaveToFlowMs };
  } finally {
    await system.stop();
  }
}

const results: RoundResult[] = [];
for (let i = 0; i < rounds; i++) {
  process.stderr.write(`round ${i + 1} of ${rounds}…\n`);
  results.push(await round());
}
const row = (label: string, pick: (r: RoundResult) => number) =>
  `| ${label} | ${results.map((r) => Math.round(pick(r))).join(' / ')} |`;
process.stdout.write(
  [
    `Rebalance cost, session timeout ${sessionTimeoutMs} ms, ${rate} msg/s over 30 pairs, 6 partitions (${new Date().toISOString()})`,
    '',
    `| measured (ms), one value per round | ${results.map((_, i) => `round ${i + 1}`).join(' / ')} |`,
    '|---|---|',
    row('persister SIGKILLed → its partitions flow again', (r) => r.killToFlowMs),
    row('persister started → its first stored batch', (r) => r.startToFirstBatchMs),
    row('persister stopped gracefully → its partitions flow again', (r) => r.leaveToFlowMs),
    '',
  ].join('\n'),
);
process.exit(0);
