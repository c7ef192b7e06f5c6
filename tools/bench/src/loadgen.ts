/**
 * The load generator: its own process, so the servers under test never share an event loop with the clients.
 * Usage: tsx loadgen.ts, with the job (JSON, secret included) as the first line on stdin; later stdin lines are
 * "continue". Reports on stdout (one JSON object per line). Exits when stdin closes (the orchestrator is gone).
 */
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Ack, MessageDto } from '@chat/contracts';
import { type Client, connect } from './client.js';
import { LatencyRecorder } from './latency.js';
import { gatewayOfUser } from './placement.js';
import type {
  ConnectionLevel,
  ConnectionsJob,
  ConnectionsResult,
  LoadEvent,
  LoadJob,
  MessageTimes,
  StepResult,
  SweepJob,
  SweepResult,
} from './protocol.js';

type SendAck = Ack<{ message: MessageDto }>;

function report(event: LoadEvent): Promise<void> {
  return new Promise((resolve) => process.stdout.write(`${JSON.stringify(event)}\n`, () => resolve()));
}

const stdinLines = createInterface({ input: process.stdin });
const unreadLines: string[] = [];
const lineWaiters: Array<(line: string) => void> = [];
stdinLines.on('line', (line) => {
  const waiter = lineWaiters.shift();
  if (waiter) waiter(line);
  else unreadLines.push(line);
});
stdinLines.once('close', () => {
  console.error('load generator: stdin closed (the orchestrator is gone), stopping');
  process.exit(1);
});
function nextLine(): Promise<string> {
  const line = unreadLines.shift();
  if (line !== undefined) return Promise.resolve(line);
  return new Promise((resolve) => lineWaiters.push(resolve));
}

/** No source address to bind to when the job has none (a server on another host). */
const addressFor = (addresses: string[], index: number) =>
  addresses.length > 0 ? addresses[index % addresses.length] : undefined;

/** Now in ms since the epoch, with performance.now()'s resolution: for times compared with other processes'. */
const epochNow = () => performance.timeOrigin + performance.now();

interface TrackedMessage {
  /** -1 for the warm-up's messages: checked at the end, but not part of any step's figures. */
  stepIndex: number;
  scheduledAt: number;
  recipientId: string;
  /** Indexes into the job's `gatewayUrls` (0 without them). */
  senderGateway: number;
  recipientGateway: number;
  serverId: string | null;
  deliveries: number;
  /** Epoch times for the timeline (`job.timeline`). */
  times: Omit<MessageTimes, 'clientMessageId'>;
}

class StepState {
  readonly sendToAck = new LatencyRecorder();
  readonly sendToDelivery = new LatencyRecorder();
  readonly byGateway: Array<{ sendToAck: LatencyRecorder; sendToDelivery: LatencyRecorder }>;
  readonly generatorLag = new LatencyRecorder();
  readonly errorsByCode: Record<string, number> = {};
  sent = 0;
  acked = 0;
  delivered = 0;
  awaitingAck = 0;
  lastAckAt = 0;
  closed = false;

  constructor(gateways: number) {
    this.byGateway = Array.from({ length: gateways }, () => ({
      sendToAck: new LatencyRecorder(),
      sendToDelivery: new LatencyRecorder(),
    }));
  }

  countError(code: string): void {
    this.errorsByCode[code] = (this.errorsByCode[code] ?? 0) + 1;
  }
}

async function runSweep(job: SweepJob): Promise<SweepResult> {
  const userIds = Array.from({ length: job.pairs * 2 }, (_, index) => `${job.runTag}-u${index}`);
  const clients = new Map<string, Client>();
  const tracked = new Map<string, TrackedMessage>();
  const gatewayUrls = job.gatewayUrls ?? [job.url];
  const gatewayOf = (index: number) => gatewayOfUser(index, gatewayUrls.length);
  const steps: StepState[] = [];
  const warmUp = new StepState(gatewayUrls.length);
  const stateOf = (index: number) => (index < 0 ? warmUp : (steps[index] as StepState));

  await Promise.all(
    userIds.map(async (userId, index) => {
      const url = gatewayUrls[gatewayOf(index)] as string;
      const client = await connect(url, userId, job.jwtSecret, addressFor(job.sourceAddresses, index));
      client.on('message:new', (message) => {
        // Servers deliver to both participants; only the recipient's copy is a delivery.
        if (message.recipientId !== userId) return;
        const entry = tracked.get(message.clientMessageId);
        if (!entry) return;
        entry.deliveries += 1;
        if (entry.deliveries !== 1) return;
        entry.times.deliveredAt = epochNow();
        const state = stateOf(entry.stepIndex);
        state.delivered += 1;
        if (state.closed) return;
        const ms = performance.now() - entry.scheduledAt;
        state.sendToDelivery.record(ms);
        state.byGateway[entry.recipientGateway]?.sendToDelivery.record(ms);
      });
      clients.set(userId, client);
    }),
  );

  const send = (stepIndex: number, sequence: number, scheduledAt: number) => {
    const pair = sequence % job.pairs;
    // Alternate direction per round, so both users of a pair send and receive.
    const forward = Math.floor(sequence / job.pairs) % 2 === 0;
    const senderIndex = pair * 2 + (forward ? 0 : 1);
    const recipientIndex = pair * 2 + (forward ? 1 : 0);
    const senderId = userIds[senderIndex] as string;
    const recipientId = userIds[recipientIndex] as string;
    const clientMessageId = `${job.runTag}-s${stepIndex}-${sequence}`;
    const entry: TrackedMessage = {
      stepIndex,
      scheduledAt,
      recipientId,
      senderGateway: gatewayOf(senderIndex),
      recipientGateway: gatewayOf(recipientIndex),
      serverId: null,
      deliveries: 0,
      times: { sentAt: epochNow(), ackedAt: null, deliveredAt: null },
    };
    tracked.set(clientMessageId, entry);
    const state = stateOf(stepIndex);
    state.sent += 1;
    state.awaitingAck += 1;
    state.generatorLag.record(performance.now() - scheduledAt);
    const client = clients.get(senderId) as Client;
    client.emit(
      'message:send',
      { clientMessageId, otherUserId: recipientId, text: `bench message ${sequence}` },
      (ack: SendAck) => {
        state.awaitingAck -= 1;
        if (!ack.ok) {
          if (!state.closed) state.countError(ack.error.code);
          return;
        }
        entry.serverId = ack.message.id;
        entry.times.ackedAt = epochNow();
        state.acked += 1;
        if (state.closed) return;
        state.lastAckAt = performance.now();
        state.sendToAck.record(state.lastAckAt - scheduledAt);
        state.byGateway[entry.senderGateway]?.sendToAck.record(state.lastAckAt - scheduledAt);
      },
    );
  };

  const settle = async (state: StepState, timeoutMs: number) => {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline && (state.awaitingAck > 0 || state.delivered < state.acked)) {
      await sleep(10);
    }
  };

  /** One open-loop phase at a fixed rate, then up to `drainMs` for its acks and deliveries; reported when done. */
  const runStep = async (
    index: number,
    step: SweepJob['steps'][number],
    drainMs: number,
  ): Promise<StepResult> => {
    const state = stateOf(index);
    await report({ type: 'step-start', index, rate: step.rate });
    const total = Math.round((step.rate * step.durationMs) / 1000);
    const intervalMs = 1000 / step.rate;
    const startedAt = performance.now();
    let next = 0;
    // Open loop: each message has a fixed slot; a 1 ms timer sends every slot that is due, whatever the acks do.
    await new Promise<void>((resolve) => {
      const tick = () => {
        const now = performance.now();
        while (next < total && startedAt + next * intervalMs <= now) {
          send(index, next, startedAt + next * intervalMs);
          next += 1;
        }
        if (next >= total) resolve();
        else setTimeout(tick, 1);
      };
      tick();
    });
    await settle(state, drainMs);
    state.closed = true;
    if (state.awaitingAck > 0) state.errorsByCode.NO_ACK_IN_TIME = state.awaitingAck;
    const sendToAck = state.sendToAck.summary();
    const errors = Object.values(state.errorsByCode).reduce((sum, count) => sum + count, 0);
    const elapsedSeconds = ((state.lastAckAt || performance.now()) - startedAt) / 1000;
    const result: StepResult = {
      rate: step.rate,
      durationMs: step.durationMs,
      sent: state.sent,
      acked: state.acked,
      ackedPerSecond: Math.round(state.acked / Math.max(elapsedSeconds, step.durationMs / 1000)),
      sendToAck,
      sendToDelivery: state.sendToDelivery.summary(),
      generatorLag: state.generatorLag.summary(),
      errorsByCode: state.errorsByCode,
      undeliveredAtClose: state.acked - state.delivered,
      passed: errors === 0 && state.acked === state.sent && sendToAck.p99 <= job.p99BoundMs,
      ...(job.gatewayUrls
        ? {
            byGateway: state.byGateway.map((latencies) => ({
              sendToAck: latencies.sendToAck.summary(),
              sendToDelivery: latencies.sendToDelivery.summary(),
            })),
          }
        : {}),
    };
    await report({ type: 'step-end', index, result });
    return result;
  };

  // Warm-up: JIT in every process, the broker's JVM, consumer groups and the conversations' first writes, under
  // load before anything is measured. Each user's first message creates its conversation.
  if (job.warmUp) {
    // The first step starts on a drained system: every send is answered within the gateway's ack timeout (10 s).
    await runStep(-1, job.warmUp, Math.max(job.drainMs, 15_000));
    await sleep(500);
  }

  const results: StepResult[] = [];
  for (const [index, step] of job.steps.entries()) {
    steps.push(new StepState(gatewayUrls.length));
    const result = await runStep(index, step, job.drainMs);
    results.push(result);
    // Past saturation every further step only queues more; one failing step is enough to locate it (once the
    // rates the goals compare have been measured).
    if (!result.passed && step.rate >= job.runThroughRate) break;
    await sleep(500);
  }

  // Late acks and deliveries still count for the exactly-once check: wait for them (the gateway times out at 10 s).
  const lastState = steps.at(-1);
  if (lastState) await settle(lastState, 15_000);
  const ackedMessages: SweepResult['ackedMessages'] = [];
  const timeline: MessageTimes[] = [];
  let lostDeliveries = 0;
  let duplicateDeliveries = 0;
  for (const [clientMessageId, entry] of tracked) {
    if (job.timeline && entry.stepIndex >= 0) timeline.push({ clientMessageId, ...entry.times });
    if (entry.serverId === null) continue;
    ackedMessages.push({ clientMessageId, id: entry.serverId });
    if (entry.deliveries === 0) lostDeliveries += 1;
    if (entry.deliveries > 1) duplicateDeliveries += 1;
  }
  for (const client of clients.values()) client.close();
  return {
    kind: 'sweep',
    target: job.target,
    steps: results,
    delivery: { acked: ackedMessages.length, lostDeliveries, duplicateDeliveries },
    ackedMessages,
    timeline,
  };
}

async function runConnections(job: ConnectionsJob): Promise<ConnectionsResult> {
  const clients: Array<{ socket: Client; userId: string }> = [];
  const levels: ConnectionLevel[] = [];
  let firstError: string | null = null;
  const userIdOf = (index: number) => `${job.runTag}-c${index}`;

  for (const target of job.levels) {
    const startedAt = performance.now();
    const from = clients.length;
    let failedConnects = 0;
    let nextIndex = from;
    const worker = async () => {
      while (nextIndex < target && firstError === null) {
        const index = nextIndex++;
        try {
          const userId = userIdOf(index);
          const address = addressFor(job.sourceAddresses, index);
          clients.push({ socket: await connect(job.url, userId, job.jwtSecret, address), userId });
        } catch (error) {
          failedConnects += 1;
          firstError ??= `connection ${index}: ${(error as Error).message}`;
        }
      }
    };
    await Promise.all(Array.from({ length: job.connectConcurrency }, worker));
    const seconds = (performance.now() - startedAt) / 1000;
    levels.push({
      connections: clients.length,
      connectPerSecond: Math.round((clients.length - from) / seconds),
      failedConnects,
    });
    await report({ type: 'level', connections: clients.length });
    await nextLine();
    if (firstError !== null) break;
  }

  const topMessageCheck = await messageAtTheTop(clients);
  const topPresenceCheck = await presenceAtTheTop(clients);
  for (const { socket } of clients) socket.close();
  return {
    kind: 'connections',
    target: job.target,
    levels,
    reached: clients.length,
    firstError,
    topMessageCheck,
    topPresenceCheck,
  };

  async function presenceAtTheTop(connected: Array<{ socket: Client; userId: string }>): Promise<string> {
    const watcher = connected.at(-1)?.socket;
    const watched = connected.at(0)?.userId;
    if (!watcher || !watched) return 'not checked: fewer than two connections';
    const startedAt = performance.now();
    try {
      const ack = await watcher.timeout(15_000).emitWithAck('presence:subscribe', { userIds: [watched] });
      const ms = Math.round(performance.now() - startedAt);
      if (!ack.ok) return `refused (${ack.error.code})`;
      return ack.presence[0]?.online
        ? `works: the first connected user is online (${ms} ms)`
        : `wrong: reported offline (${ms} ms)`;
    } catch {
      return 'no answer in 15 s (the target has no presence)';
    }
  }

  async function messageAtTheTop(
    connected: Array<{ socket: Client; userId: string }>,
  ): Promise<ConnectionsResult['topMessageCheck']> {
    const sender = connected.at(-1)?.socket;
    const recipientEntry = connected.at(-2);
    if (!sender || !recipientEntry) {
      return { acked: false, delivered: false, ackMs: null, error: 'fewer than two connections' };
    }
    const { socket: recipient, userId: recipientId } = recipientEntry;
    const clientMessageId = `${job.runTag}-top`;
    const delivered = new Promise<boolean>((resolve) => {
      recipient.on('message:new', (message) => {
        if (message.clientMessageId === clientMessageId) resolve(true);
      });
      setTimeout(() => resolve(false), 15_000).unref();
    });
    const startedAt = performance.now();
    try {
      const ack = await sender
        .timeout(15_000)
        .emitWithAck('message:send', { clientMessageId, otherUserId: recipientId, text: 'at the top' });
      const ackMs = Math.round(performance.now() - startedAt);
      return {
        acked: ack.ok,
        delivered: await delivered,
        ackMs,
        error: ack.ok ? null : ack.error.code,
      };
    } catch (error) {
      return { acked: false, delivered: await delivered, ackMs: null, error: (error as Error).message };
    }
  }
}

async function main(): Promise<void> {
  const job = JSON.parse(await nextLine()) as LoadJob;
  const result = job.kind === 'sweep' ? await runSweep(job) : await runConnections(job);
  await report({ type: 'done', result });
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error('load generator failed:', error);
  process.exit(1);
});
