/**
 * `pnpm bench:gateways`: what each gateway pays for facts as gateways are added (issue 23's per-gateway table).
 *
 * For each gateway count, on the bench's own Kafka, registry and database: one persister, that many gateways
 * holding the load's users (evenly, half the pairs across two gateways: placement.ts) and one more gateway that
 * holds none of them, then the bench's load generator at a fixed total rate. Per gateway, over the measured
 * step: facts read per second (the records added to what its facts consumer reads: its `delivery.<GATEWAY_ID>`
 * topic, or, for a version without one, every `*.persisted` topic), its CPU from /proc, and the ack (its
 * senders) and delivery (its recipients) p50 / p99. The idle gateway's CPU is what reading facts costs without
 * delivering any.
 *
 * `--before <checkout>` runs the apps of another checkout (a `git worktree` of an older commit) too, each
 * gateway count first there, then here, in one sitting.
 * Usage: pnpm bench:gateways [--gateways 1,2,4] [--rate 400] [--seconds 30] [--before <checkout>]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type AppProcess, TEST_JWT_SECRET, TestSystem } from '@chat/harness';
import { devAppSettings } from '@chat/stack';
import { Kafka, logLevel } from 'kafkajs';
import { startInfra } from '../infra.js';
import { log } from '../log.js';
import { CpuMeter } from '../measure.js';
import type { GatewayLatencies, StepResult, SweepJob } from '../protocol.js';
import { runLoad } from '../run-load.js';
import type { Infra } from '../targets.js';
import { Teardown } from '../teardown.js';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

const { values } = parseArgs({
  options: {
    gateways: { type: 'string', default: '1,2,4' },
    rate: { type: 'string', default: '400' },
    seconds: { type: 'string', default: '30' },
    'warm-up-seconds': { type: 'string', default: '15' },
    pairs: { type: 'string', default: '400' },
    before: { type: 'string' },
  },
});
const gatewayCounts = (values.gateways as string).split(',').map(Number);
const rate = Number(values.rate);
const stepMs = Number(values.seconds) * 1000;
const warmUpMs = Number(values['warm-up-seconds']) * 1000;
const pairs = Number(values.pairs);
const sides = values.before
  ? [
      { side: 'before', appsRoot: values.before },
      { side: 'after', appsRoot: repoRoot },
    ]
  : [{ side: 'this checkout', appsRoot: repoRoot }];

interface GatewayRow {
  gateway: string;
  /** Users of the load on it: 0 for the idle gateway. */
  users: number;
  factsPerSecond: number;
  cpuPercent: number;
  latencies: GatewayLatencies | null;
}

interface Measured {
  side: string;
  gateways: number;
  loadAverage: { start: number; end: number };
  /** From the step's start to the end of its drain: the interval of every per-second figure. */
  seconds: number;
  step: StepResult;
  rows: GatewayRow[];
}

const loadAverage1m = () => Math.round((loadavg()[0] ?? 0) * 100) / 100;

/** The records each gateway's facts consumer reads so far: its delivery topic, or every `*.persisted` topic. */
async function factsRead(kafka: Kafka, topicPrefix: string, gatewayIds: string[]): Promise<number[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(topicPrefix));
    const records = async (topic: string) =>
      (await admin.fetchTopicOffsets(topic)).reduce((sum, { high }) => sum + Number(high), 0);
    let everyFact = 0;
    for (const topic of topics.filter((name) => name.endsWith('.persisted')))
      everyFact += await records(topic);
    const counts: number[] = [];
    for (const id of gatewayIds) {
      const delivery = `${topicPrefix}delivery.${id}`;
      counts.push(topics.includes(delivery) ? await records(delivery) : everyFact);
    }
    return counts;
  } finally {
    await admin.disconnect();
  }
}

async function measure(
  infra: Infra,
  teardown: Teardown,
  outDir: string,
  { side, appsRoot }: { side: string; appsRoot: string },
  count: number,
): Promise<Measured> {
  const system = new TestSystem(
    { ...infra, kind: 'local' },
    // The older commits refuse sessions under 6 s; both sides get the same.
    { ...devAppSettings({}), KAFKA_PARTITIONS: '6', KAFKA_SESSION_TIMEOUT_MS: '6000' },
    appsRoot,
  );
  const stopSystem = teardown.add(`the ${side} apps`, () => system.stop());
  const kafka = new Kafka({ brokers: [infra.kafkaBrokers], logLevel: logLevel.ERROR });
  try {
    await system.startPersister();
    const gatewayIds = [...Array.from({ length: count }, (_, i) => `g${i + 1}`), 'idle'];
    const gateways: AppProcess[] = [];
    for (const id of gatewayIds) gateways.push(await system.startGateway({ GATEWAY_ID: id }));
    const loaded = gateways.slice(0, count);
    const meter = new CpuMeter(() =>
      Object.fromEntries(gateways.map((gateway, i) => [gatewayIds[i], gateway.child.pid as number])),
    );
    const job: SweepJob = {
      kind: 'sweep',
      target: `${side}, ${count} gateways`,
      url: system.url(loaded[0]),
      gatewayUrls: loaded.map((gateway) => system.url(gateway)),
      jwtSecret: TEST_JWT_SECRET,
      runTag: `bench-${system.topicPrefix.slice(2, -1)}`,
      pairs,
      warmUp: { rate, durationMs: warmUpMs },
      steps: [{ rate, durationMs: stepMs }],
      drainMs: 15_000,
      p99BoundMs: 250,
      runThroughRate: rate,
      sourceAddresses: [],
      timeline: false,
    };
    let factsAtStart: number[] = [];
    let factsAtEnd: number[] = [];
    let cpu: ReturnType<CpuMeter['stop']> | null = null;
    let startedAt = 0;
    let seconds = 0;
    const loadStart = loadAverage1m();
    log(`${side}, ${count} gateway(s): ${pairs * 2} users, ${rate} msg/s (load average ${loadStart})`);
    const result = await runLoad(
      job,
      `${outDir}/${side.replaceAll(' ', '-')}-${count}-job.json`,
      async (event) => {
        if (event.type === 'step-start' && event.index === 0) {
          factsAtStart = await factsRead(kafka, system.topicPrefix, gatewayIds);
          meter.start();
          startedAt = performance.now();
        }
        // The send window is over when the step ends; its drain adds no facts that were not counted.
        if (event.type === 'step-end' && event.index === 0) {
          cpu = meter.stop();
          seconds = (performance.now() - startedAt) / 1000;
          factsAtEnd = await factsRead(kafka, system.topicPrefix, gatewayIds);
        }
      },
      warmUpMs + stepMs + 120_000,
    );
    if (result.kind !== 'sweep' || !cpu) throw new Error('the load generator reported no step');
    const step = result.steps[0] as StepResult;
    const measuredCpu = cpu as ReturnType<CpuMeter['stop']>;
    return {
      side,
      gateways: count,
      loadAverage: { start: loadStart, end: loadAverage1m() },
      seconds,
      step,
      rows: gatewayIds.map((gateway, i) => ({
        gateway,
        users: i < count ? (pairs * 2) / count : 0,
        factsPerSecond: Math.round(((factsAtEnd[i] ?? 0) - (factsAtStart[i] ?? 0)) / seconds),
        cpuPercent: Math.round(((measuredCpu.cpuMs[gateway] ?? 0) / 1000 / seconds) * 1000) / 10,
        latencies: step.byGateway?.[i] ?? null,
      })),
    };
  } finally {
    await stopSystem();
  }
}

const ms = (value: number) => (Math.round(value * 10) / 10).toString();

function markdown(results: Measured[]): string {
  const lines = [
    `Per-gateway facts, ${rate} msg/s in total, ${pairs} pairs (half across two gateways), ${stepMs / 1000} s ` +
      `after ${warmUpMs / 1000} s of warm-up; one persister; "idle" holds no user of the load (${new Date().toISOString()})`,
    '',
    '| side | gateways | load avg (start → end) | gateway | users | facts read/s | CPU (% of a core) | ack p50 / p99 ms | delivery p50 / p99 ms | acked / sent |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const result of results) {
    for (const row of result.rows) {
      const latency = row.latencies;
      const cells = [
        result.side,
        result.gateways,
        `${result.loadAverage.start} → ${result.loadAverage.end}`,
        row.gateway,
        row.users,
        row.factsPerSecond,
        row.cpuPercent,
        latency ? `${ms(latency.sendToAck.p50)} / ${ms(latency.sendToAck.p99)}` : '—',
        latency ? `${ms(latency.sendToDelivery.p50)} / ${ms(latency.sendToDelivery.p99)}` : '—',
        `${result.step.acked} / ${result.step.sent}`,
      ];
      lines.push(`| ${cells.join(' | ')} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<void> {
  const teardown = new Teardown();
  teardown.exitOnSignals();
  const outDir = `${repoRoot}bench-results/${new Date().toISOString().replaceAll(':', '-')}-gateways`;
  mkdirSync(outDir, { recursive: true });
  try {
    const { infra } = await startInfra(true, teardown);
    const results: Measured[] = [];
    for (const count of gatewayCounts) {
      for (const side of sides) {
        if (teardown.interrupted) return;
        results.push(await measure(infra, teardown, outDir, side, count));
        writeFileSync(`${outDir}/report.json`, JSON.stringify(results, null, 2));
      }
    }
    const table = markdown(results);
    writeFileSync(`${outDir}/summary.md`, table);
    process.stdout.write(`\n${table}`);
    log(`written to ${outDir}`);
  } finally {
    await teardown.runAll();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
