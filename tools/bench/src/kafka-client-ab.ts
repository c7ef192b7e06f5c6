/**
 * `pnpm bench:kafka-client`: KafkaJS against @platformatic/kafka 1.x on our two hops, in one sitting (issue 18).
 *
 * Each run models gateway → Kafka → persister → Kafka → gateway on two fresh topics of 6 partitions:
 *   - a "gateway" producer publishes commands keyed by conversation (1,000 keys) at a fixed open-loop rate;
 *   - a "persister" group reads them in per-partition batches, waits 4 ms per batch (storage, a timer, not CPU),
 *     then publishes one fact per command with the command's correlation id in a header, and commits after;
 *   - a "gateway" group (new records only, no commits) reads the facts: latency is from the command's scheduled
 *     send time to its fact's arrival, so a stalled sender cannot hide its own delay.
 * Both clients get the same policy: an idempotent producer (acks all, one request in flight) behind the same
 * coalescing outbox as ours (packages/event-bus/src/outbox.ts), no linger, offsets committed at most once a second
 * after the batch's effects. Each run is a child process (one client, all roles), so the Node CPU is that client's
 * alone; runs alternate A, B, A, B… on the shared machine, so drift in its load falls on both.
 * Usage: pnpm bench:kafka-client [--rounds 2] [--rates 400,1600] [--step-s 20] [--warmup-s 10] [--storage-ms 4]
 *          [--fetch-max-wait-ms W --fetch-min-bytes B]   (a fetch linger on both clients; report it apart)
 */
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadStackConfig, stackUrls } from '@chat/stack';
import {
  Consumer,
  compatibilityPartitioner,
  connectionsApiChannel,
  type Message,
  MessagesStreamFallbackModes,
  MessagesStreamModes,
  Producer,
  stringDeserializers,
  stringSerializers,
} from '@platformatic/kafka';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { log } from './log.js';

const PARTITIONS = 6;
const CORRELATION = 'correlation-id';
const CLIENTS = ['kafkajs', 'platformatic'] as const;
type ClientName = (typeof CLIENTS)[number];

interface Settings {
  brokers: string[];
  brokerPid: number;
  rates: number[];
  stepS: number;
  warmupS: number;
  storageMs: number;
  keys: number;
  /**
   * A fetch linger for both clients' consumers, reported separately: the broker answers a fetch when it has
   * minBytes or after maxWaitMs. Absent, both clients keep their defaults (1 byte, 5 s: answer on the first record).
   */
  fetch?: { minBytes: number; maxWaitMs: number };
}

interface Topics {
  commands: string;
  facts: string;
  persisterGroup: string;
  gatewayGroup: string;
}

interface StepResult {
  label: string;
  rate: number;
  sent: number;
  delivered: number;
  duplicates: number;
  /** ms from each command's scheduled send to its fact's arrival, sorted. */
  latencies: number[];
  nodeCpuMs: number;
  brokerCpuMs: number;
  /** Kafka requests sent, by API. */
  requests: Record<string, number>;
}

// ---------------------------------------------------------------------------------------------------------------
// The two clients behind one small interface: what our bus needs of a client, nothing more.

interface OutRecord {
  key: string;
  value: string;
  headers: Record<string, string>;
}

type InRecord = OutRecord & { partition: number };

interface ClientProducer {
  /** Resolves when the broker has acknowledged every record (acks all). */
  send(topic: string, records: OutRecord[]): Promise<void>;
  close(): Promise<void>;
}

interface ConsumeOptions {
  groupId: string;
  topic: string;
  /** With no committed offset: from the oldest record (the persister) or only new ones (a gateway). */
  fromBeginning: boolean;
  /** Whether progress is committed (at most once a second, only of handled batches). */
  commit: boolean;
  /** How many partitions' batches may be in the handler at once; one partition's batches never overlap. */
  concurrency: number;
  handler: (records: InRecord[]) => Promise<void>;
}

interface Client {
  /** Requests sent so far by every producer and consumer of this client, by API. */
  requests: Record<string, number>;
  producer(clientId: string): Promise<ClientProducer>;
  /** Resolves once the consumer has joined its group and holds its partitions. */
  consume(clientId: string, options: ConsumeOptions): Promise<{ close(): Promise<void> }>;
}

/** Kafka's API keys of the requests this workload sends; the rest are counted as "other". */
const API_NAMES: Record<number, string> = {
  0: 'produce',
  1: 'fetch',
  3: 'metadata',
  8: 'commit',
  12: 'heartbeat',
};

function countRequest(requests: Record<string, number>, apiKey: number): void {
  const name = API_NAMES[apiKey] ?? 'other';
  requests[name] = (requests[name] ?? 0) + 1;
}

/** KafkaJS, configured as packages/event-bus/src/bus.ts configures it. */
function kafkajsClient(brokers: string[], fetch: Settings['fetch']): Client {
  const kafka = new Kafka({ clientId: 'kafka-client-ab', brokers, logLevel: logLevel.ERROR });
  const requests: Record<string, number> = {};
  return {
    requests,
    async producer() {
      const producer = kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      producer.on(producer.events.REQUEST, (event) => countRequest(requests, event.payload.apiKey));
      await producer.connect();
      return {
        send: async (topic, records) => {
          await producer.send({ topic, messages: records });
        },
        close: () => producer.disconnect(),
      };
    },
    async consume(_clientId, options) {
      const consumer = kafka.consumer({
        groupId: options.groupId,
        allowAutoTopicCreation: false,
        ...(fetch ? { minBytes: fetch.minBytes, maxWaitTimeInMs: fetch.maxWaitMs } : {}),
      });
      consumer.on(consumer.events.REQUEST, (event) => countRequest(requests, event.payload.apiKey));
      const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
      await consumer.connect();
      await consumer.subscribe({ topics: [options.topic], fromBeginning: options.fromBeginning });
      await consumer.run({
        eachBatchAutoResolve: false,
        autoCommit: options.commit,
        autoCommitInterval: 1000,
        partitionsConsumedConcurrently: options.concurrency,
        eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary, heartbeat }) => {
          const last = batch.messages.at(-1);
          if (last === undefined) return;
          await options.handler(
            batch.messages.map((message) => ({
              key: message.key?.toString() ?? '',
              value: message.value?.toString() ?? '',
              headers: Object.fromEntries(
                Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)]),
              ),
              partition: batch.partition,
            })),
          );
          resolveOffset(last.offset);
          await commitOffsetsIfNecessary();
          await heartbeat();
        },
      });
      await joined;
      return { close: () => consumer.disconnect() };
    },
  };
}

/**
 * @platformatic/kafka 1.x. Its consumer is a stream of single records that keeps fetching while they are handled;
 * batches are rebuilt per partition here (what arrived while the partition's previous batch was in its handler).
 */
function platformaticClient(brokers: string[], fetch: Settings['fetch']): Client {
  const requests: Record<string, number> = {};
  // Published as each request is written to its socket (one process, one client: all of them are ours).
  connectionsApiChannel.start.subscribe((context) =>
    countRequest(requests, Number((context as { apiKey: number }).apiKey)),
  );
  return {
    requests,
    async producer(clientId) {
      // Idempotent forces acks all and one request in flight per connection. The compatibility partitioner is
      // Java's (and KafkaJS's) murmur2 mapping; the default one maps some keys to other partitions.
      const producer = new Producer({
        clientId,
        bootstrapBrokers: brokers,
        idempotent: true,
        partitioner: compatibilityPartitioner,
        serializers: stringSerializers,
      });
      return {
        send: async (topic, records) => {
          await producer.send({ messages: records.map((record) => ({ topic, ...record })) });
        },
        close: () => producer.close(),
      };
    },
    async consume(clientId, options) {
      const consumer = new Consumer({
        clientId,
        groupId: options.groupId,
        bootstrapBrokers: brokers,
        deserializers: stringDeserializers,
        ...(fetch ? { minBytes: fetch.minBytes, maxWaitTime: fetch.maxWaitMs } : {}),
      });
      // `consume` resolves after the group join. COMMITTED with an EARLIEST fallback is KafkaJS's fromBeginning
      // (EARLIEST alone would ignore committed offsets); autocommit is off because it commits what was fetched,
      // not what was handled.
      const stream = await consumer.consume({
        topics: [options.topic],
        mode: options.fromBeginning ? MessagesStreamModes.COMMITTED : MessagesStreamModes.LATEST,
        fallbackMode: MessagesStreamFallbackModes.EARLIEST,
        autocommit: false,
      });
      const lanes = new Map<number, { queue: Message<string, string, string, string>[]; busy: boolean }>();
      const handled = new Map<number, bigint>();
      let slots = options.concurrency;
      const waiting: Array<() => void> = [];
      const drain = async (lane: { queue: Message<string, string, string, string>[]; busy: boolean }) => {
        while (lane.queue.length > 0) {
          while (slots === 0) await new Promise<void>((resolve) => waiting.push(resolve));
          slots--;
          const batch = lane.queue.splice(0);
          try {
            await options.handler(
              batch.map((message) => ({
                key: message.key,
                value: message.value,
                headers: Object.fromEntries(message.headers),
                partition: message.partition,
              })),
            );
          } finally {
            slots++;
            waiting.shift()?.();
          }
          const last = batch.at(-1) as Message<string, string, string, string>;
          handled.set(last.partition, last.offset + 1n);
        }
        lane.busy = false;
      };
      stream.on('data', (message: Message<string, string, string, string>) => {
        const lane = lanes.get(message.partition) ?? { queue: [], busy: false };
        lanes.set(message.partition, lane);
        lane.queue.push(message);
        if (lane.busy) return;
        lane.busy = true;
        // After the stream has pushed the rest of this fetch's records: they join the same batch.
        setImmediate(() => drain(lane).catch(fail));
      });
      stream.on('error', fail);
      const commits = options.commit
        ? setInterval(() => {
            if (handled.size === 0) return;
            const offsets = [...handled].map(([partition, offset]) => ({
              topic: options.topic,
              partition,
              offset,
              leaderEpoch: -1,
            }));
            handled.clear();
            consumer.commit({ offsets }).catch(fail);
          }, 1000)
        : undefined;
      return {
        async close() {
          clearInterval(commits);
          await stream.close();
          await consumer.close();
        },
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The workload, the same for both clients.

/**
 * Our Outbox's policy: one produce request in flight; what is published meanwhile leaves together in the next,
 * with no linger. (It also keeps @platformatic/kafka 1.x's idempotent producer correct: concurrent `send`s to one
 * partition reuse a sequence number, and the broker acknowledges all of them while it stores only the first.)
 */
class Outbox {
  private queue: Array<{ records: OutRecord[]; resolve: () => void; reject: (error: unknown) => void }> = [];
  private sending = false;

  constructor(private readonly send: (records: OutRecord[]) => Promise<void>) {}

  publish(records: OutRecord[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ records, resolve, reject });
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0);
      try {
        await this.send(batch.flatMap((item) => item.records));
        for (const item of batch) item.resolve();
      } catch (error) {
        for (const item of batch) item.reject(error);
      }
    }
    this.sending = false;
  }
}

function fail(error: unknown): never {
  console.error(error);
  process.exit(1);
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** User plus system CPU ms of `pid` so far (/proc reports USER_HZ ticks, 100 a second). */
function cpuMsOf(pid: number): number {
  const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** One client, all roles, warm-up then each rate; runs in a child process. */
async function runClient(name: ClientName, settings: Settings, topics: Topics): Promise<StepResult[]> {
  const client = (name === 'kafkajs' ? kafkajsClient : platformaticClient)(settings.brokers, settings.fetch);
  const value = JSON.stringify({ text: 'x'.repeat(160), senderId: randomUUID(), recipientId: randomUUID() });

  // The persister: a batch "stores" for storageMs, then publishes its facts; the batch is done when they are acked.
  const factsProducer = await client.producer('ab-persister');
  const facts = new Outbox((records) => factsProducer.send(topics.facts, records));
  const persister = await client.consume('ab-persister', {
    groupId: topics.persisterGroup,
    topic: topics.commands,
    fromBeginning: true,
    commit: true,
    concurrency: PARTITIONS,
    handler: async (records) => {
      await pause(settings.storageMs);
      await facts.publish(
        records.map((record) => ({
          key: record.key,
          value: record.value,
          headers: { [CORRELATION]: record.headers[CORRELATION] ?? '' },
        })),
      );
    },
  });

  // The gateway: commands out; facts in, matched to their command by correlation id.
  const scheduled = new Map<string, number>();
  let step: StepResult | undefined;
  const gatewayIn = await client.consume('ab-gateway', {
    groupId: topics.gatewayGroup,
    topic: topics.facts,
    fromBeginning: false,
    commit: false,
    concurrency: 1,
    handler: async (records) => {
      const now = performance.now();
      for (const record of records) {
        const id = record.headers[CORRELATION] ?? '';
        const at = scheduled.get(id);
        if (at === undefined || step === undefined) {
          // Seen before, or late from an earlier step (which then reports it missing).
          if (step && id.startsWith(`${step.label}-`)) step.duplicates++;
          continue;
        }
        scheduled.delete(id);
        step.delivered++;
        step.latencies.push(now - at);
      }
    },
  });
  const commandsProducer = await client.producer('ab-gateway');
  const commands = new Outbox((records) => commandsProducer.send(topics.commands, records));

  const runStep = async (rate: number, seconds: number, label: string): Promise<StepResult> => {
    const result: StepResult = {
      label,
      rate,
      sent: 0,
      delivered: 0,
      duplicates: 0,
      latencies: [],
      nodeCpuMs: 0,
      brokerCpuMs: 0,
      requests: {},
    };
    step = result;
    const total = Math.round(rate * seconds);
    const broker0 = cpuMsOf(settings.brokerPid);
    const requests0 = { ...client.requests };
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    // Open loop: command i is due at t0 + i/rate whatever happened to the ones before it.
    await new Promise<void>((resolve) => {
      const tick = () => {
        const due = Math.min(total, Math.floor(((performance.now() - t0) * rate) / 1000) + 1);
        for (; result.sent < due; result.sent++) {
          const id = `${label}-${result.sent}`;
          scheduled.set(id, t0 + (result.sent * 1000) / rate);
          const key = `conversation-${Math.floor(Math.random() * settings.keys)}`;
          commands.publish([{ key, value, headers: { [CORRELATION]: id } }]).catch(fail);
        }
        if (result.sent < total) setTimeout(tick, 1);
        else resolve();
      };
      tick();
    });
    const deadline = performance.now() + 30_000;
    while (scheduled.size > 0 && performance.now() < deadline) await pause(5);
    const cpu = process.cpuUsage(cpu0);
    result.nodeCpuMs = (cpu.user + cpu.system) / 1000;
    result.brokerCpuMs = cpuMsOf(settings.brokerPid) - broker0;
    for (const [api, count] of Object.entries(client.requests))
      result.requests[api] = count - (requests0[api] ?? 0);
    result.latencies.sort((a, b) => a - b);
    scheduled.clear();
    return result;
  };

  await runStep(400, settings.warmupS, 'warm-up');
  const results: StepResult[] = [];
  for (const rate of settings.rates) {
    await pause(2000);
    results.push(await runStep(rate, settings.stepS, `rate-${rate}`));
  }
  step = undefined;
  await Promise.all([persister.close(), gatewayIn.close()]);
  await Promise.all([factsProducer.close(), commandsProducer.close()]);
  return results;
}

// ---------------------------------------------------------------------------------------------------------------
// The sitting: alternate the clients, each run on its own topics, then one table.

/** The pid of the process listening on 127.0.0.1:`port` (the stack's broker), from /proc. */
function listenerPid(port: number): number {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // local_address is ADDR:PORT in hex, state 0A is LISTEN, column 9 is the socket's inode.
      if (cols[1]?.endsWith(`:${hexPort}`) && cols[3] === '0A' && cols[9]) inodes.add(cols[9]);
    }
  }
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      for (const fd of readdirSync(`/proc/${entry}/fd`)) {
        const target = readlinkSync(`/proc/${entry}/fd/${fd}`);
        if (inodes.has(/^socket:\[(\d+)\]$/.exec(target)?.[1] ?? '')) return Number(entry);
      }
    } catch {
      // Processes come and go, and some are not ours to read.
    }
  }
  throw new Error(`no process listens on port ${port}: is the stack up?`);
}

function childRun(name: ClientName, settings: Settings, topics: Topics): Promise<StepResult[]> {
  return new Promise((resolve, reject) => {
    const child = fork(
      fileURLToPath(import.meta.url),
      ['--child', JSON.stringify({ name, settings, topics })],
      {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      },
    );
    let results: StepResult[] | undefined;
    child.on('message', (message) => {
      results = message as StepResult[];
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      results && code === 0 ? resolve(results) : reject(new Error(`${name} run exited with ${code}`)),
    );
  });
}

async function withTopics<T>(brokers: string[], run: (topics: Topics) => Promise<T>): Promise<T> {
  const prefix = `kafka-client-ab-${randomUUID().slice(0, 8)}`;
  const topics: Topics = {
    commands: `${prefix}-commands`,
    facts: `${prefix}-facts`,
    persisterGroup: `${prefix}-persister`,
    gatewayGroup: `${prefix}-gateway`,
  };
  const admin = new Kafka({ clientId: 'kafka-client-ab-admin', brokers, logLevel: logLevel.ERROR }).admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [topics.commands, topics.facts].map((topic) => ({ topic, numPartitions: PARTITIONS })),
    });
    return await run(topics);
  } finally {
    await admin.deleteGroups([topics.persisterGroup, topics.gatewayGroup]).catch(() => {});
    await admin.deleteTopics({ topics: [topics.commands, topics.facts] });
    await admin.disconnect();
  }
}

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? Number.NaN : (sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] as number);

function row(label: string, rate: number, steps: StepResult[]): string {
  const latencies = steps.flatMap((s) => s.latencies).sort((a, b) => a - b);
  const sum = (pick: (s: StepResult) => number) => steps.reduce((total, s) => total + pick(s), 0);
  const delivered = sum((s) => s.delivered);
  const perMessage = (pick: (s: StepResult) => number, digits: number) =>
    (delivered ? sum(pick) / delivered : Number.NaN).toFixed(digits);
  const requests = (api: string) => perMessage((s) => s.requests[api] ?? 0, 2);
  const allRequests = perMessage((s) => Object.values(s.requests).reduce((n, count) => n + count, 0), 2);
  return [
    label,
    rate.toLocaleString('en'),
    `${delivered.toLocaleString('en')} / ${sum((s) => s.sent).toLocaleString('en')}`,
    ...[0.5, 0.9, 0.99].map((p) => percentile(latencies, p).toFixed(1)),
    perMessage((s) => s.nodeCpuMs, 3),
    perMessage((s) => s.brokerCpuMs, 3),
    `${allRequests} (${requests('produce')} + ${requests('fetch')})`,
    String(sum((s) => s.duplicates)),
  ].join(' | ');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      child: { type: 'string' },
      rounds: { type: 'string', default: '2' },
      rates: { type: 'string', default: '400,1600' },
      'step-s': { type: 'string', default: '20' },
      'warmup-s': { type: 'string', default: '10' },
      'storage-ms': { type: 'string', default: '4' },
      'fetch-max-wait-ms': { type: 'string' },
      'fetch-min-bytes': { type: 'string', default: '65536' },
    },
  });
  if (values.child) {
    const { name, settings, topics } = JSON.parse(values.child) as {
      name: ClientName;
      settings: Settings;
      topics: Topics;
    };
    const results = await runClient(name, settings, topics);
    process.send?.(results, () => process.exit(0));
    return;
  }

  const config = loadStackConfig();
  const settings: Settings = {
    brokers: [stackUrls(config).kafkaBrokers],
    brokerPid: listenerPid(config.kafkaPort),
    rates: values.rates.split(',').map(Number),
    stepS: Number(values['step-s']),
    warmupS: Number(values['warmup-s']),
    storageMs: Number(values['storage-ms']),
    keys: 1000,
    fetch: values['fetch-max-wait-ms']
      ? { minBytes: Number(values['fetch-min-bytes']), maxWaitMs: Number(values['fetch-max-wait-ms']) }
      : undefined,
  };
  const rounds = Number(values.rounds);
  const startedAt = new Date();
  const loadStart = loadavg();
  const runs: Array<{
    round: number;
    name: ClientName;
    load: number;
    brokerIdle: number;
    steps: StepResult[];
  }> = [];
  for (let round = 1; round <= rounds; round++) {
    for (const name of CLIENTS) {
      const load = loadavg()[0] as number;
      // The broker is shared: what it burns without us, just before the run, says how much of its CPU is not ours.
      const idle0 = cpuMsOf(settings.brokerPid);
      await pause(3000);
      const brokerIdle = (cpuMsOf(settings.brokerPid) - idle0) / 30;
      log(`round ${round}/${rounds}: ${name} (load ${load.toFixed(2)})…`);
      const steps = await withTopics(settings.brokers, (topics) => childRun(name, settings, topics));
      for (const s of steps)
        log(
          `  ${s.rate} msg/s: ${s.delivered}/${s.sent} delivered, p50 ${percentile(s.latencies, 0.5).toFixed(1)} ms`,
        );
      runs.push({ round, name, load, brokerIdle, steps });
    }
  }
  const loadEnd = loadavg();

  const columns =
    'client | msg/s | delivered / sent | p50 ms | p90 ms | p99 ms | Node CPU ms/msg | broker CPU ms/msg | requests/msg (produce + fetch) | duplicates |';
  const stepsOf = (name: ClientName, rate: number, round?: number) =>
    runs
      .filter((r) => r.name === name && (round === undefined || r.round === round))
      .flatMap((r) => r.steps.filter((s) => s.rate === rate));
  const fmtLoad = (l: number[]) => l.map((v) => v.toFixed(2)).join(' / ');
  const lines = [
    `# Kafka client A/B (${startedAt.toISOString()})`,
    '',
    `KafkaJS 2.2.4 against @platformatic/kafka 1.x, ${rounds} rounds alternating (A, B, A, B…): a ${settings.warmupS} s warm-up at 400 msg/s, then ${settings.stepS} s at each rate. ${PARTITIONS} partitions, ${settings.keys} keys, ${settings.storageMs} ms of simulated storage per persister batch; broker pid ${settings.brokerPid}.`,
    settings.fetch
      ? `**Fetch linger on both clients:** minBytes ${settings.fetch.minBytes}, maxWait ${settings.fetch.maxWaitMs} ms.`
      : "Fetch settings: each client's defaults (minBytes 1, maxWait 5 s).",
    `Load average (1 / 5 / 15 min) on 2 shared cores: ${fmtLoad(loadStart)} at start, ${fmtLoad(loadEnd)} at end.`,
    '',
    'All rounds pooled (percentiles over every message; CPU and requests summed, then divided by messages delivered):',
    '',
    `| ${columns}`,
    `|${'---|'.repeat(10)}`,
    ...settings.rates.flatMap((rate) => CLIENTS.map((name) => `| ${row(name, rate, stepsOf(name, rate))} |`)),
    '',
    'Each run (load: the 1-minute load average when it started; broker idle: its CPU in the 3 s before, without us):',
    '',
    `| round | load | broker idle, % of a core | ${columns}`,
    `|${'---|'.repeat(13)}`,
    ...runs.flatMap((run) =>
      settings.rates.map(
        (rate) =>
          `| ${run.round} | ${run.load.toFixed(2)} | ${run.brokerIdle.toFixed(0)} | ${row(run.name, rate, stepsOf(run.name, rate, run.round))} |`,
      ),
    ),
    '',
  ];
  const markdown = lines.join('\n');
  const outDir = fileURLToPath(new URL('../../../bench-results/', import.meta.url));
  mkdirSync(outDir, { recursive: true });
  const file = `${outDir}kafka-client-ab-${startedAt
    .toISOString()
    .replaceAll(':', '-')
    .replace(/\.\d+Z$/, 'Z')}.md`;
  writeFileSync(file, markdown);
  process.stdout.write(`\n${markdown}\nWritten to ${file}\n`);
  process.exit(0);
}

main().catch(fail);
