/**
 * Ours at light load, hop by hop: a few clients send about 150 messages at 10 msg/s, and the bench reads the
 * `message.sent` and `message.persisted` records with a consumer of its own. Each record's Kafka timestamp is
 * the time its producer created it (CreateTime, set by KafkaJS when the producer sends it); the persister's
 * informational `received-at` and `stored-at` headers (docs/protocol.md) split the time in between. A command is
 * found by its client message id, its fact by the command's correlation id. Everything runs on one machine,
 * so the clocks agree.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { KafkaHeaders, Topics } from '@chat/contracts';
import { EventBus } from '@chat/event-bus';
import { createLogger } from '@chat/runtime';
import { sourceAddressesFor } from './client.js';
import { LatencyRecorder } from './latency.js';
import { log } from './log.js';
import type { RunContext } from './measure.js';
import type { LatencySummary, MessageTimes, SweepResult } from './protocol.js';
import { runLoad } from './run-load.js';
import type { Infra, RunningTarget } from './targets.js';

/** A command as the bench's consumer read it from `message.sent`. */
export interface TracedCommand {
  correlationId: string;
  producedAt: number;
}

/** A fact as read from `message.persisted`: its own timestamp and the persister's trace headers. */
export interface TracedFact {
  producedAt: number;
  receivedAt: number;
  storedAt: number;
}

/** Every time of one message, client's and Kafka's, in ms since the epoch. */
interface MessageTrace {
  sentAt: number;
  commandProducedAt: number;
  receivedAt: number;
  storedAt: number;
  factProducedAt: number;
  ackedAt: number;
  deliveredAt: number;
}

/** The hops, in order: each from one time of a message's trace to the next. */
const HOPS: ReadonlyArray<{ hop: string; span: string; ms: (trace: MessageTrace) => number }> = [
  {
    hop: 'gateway → Kafka',
    span: 'client send → message.sent produced',
    ms: (t) => t.commandProducedAt - t.sentAt,
  },
  {
    hop: 'Kafka → persister',
    span: 'message.sent produced → persister received',
    ms: (t) => t.receivedAt - t.commandProducedAt,
  },
  {
    hop: 'database',
    span: 'received → stored (database writes, and any wait for the write before)',
    ms: (t) => t.storedAt - t.receivedAt,
  },
  {
    hop: 'persister → Kafka',
    span: 'stored → message.persisted produced',
    ms: (t) => t.factProducedAt - t.storedAt,
  },
  {
    hop: 'Kafka → gateway → client',
    span: 'message.persisted produced → ack at the client',
    ms: (t) => t.ackedAt - t.factProducedAt,
  },
  { hop: 'total', span: 'client send → ack', ms: (t) => t.ackedAt - t.sentAt },
  {
    hop: 'delivery after ack',
    span: 'ack at the sender → message:new at the recipient',
    ms: (t) => t.deliveredAt - t.ackedAt,
  },
];

export interface LatencyBreakdown {
  rate: number;
  pairs: number;
  sent: number;
  acked: number;
  /** Acked messages whose command and fact were both read, with the trace headers: the hops' sample. */
  traced: number;
  hops: Array<{ hop: string; span: string; latency: LatencySummary }>;
}

/** Joins the clients' times with the records' and summarizes each hop over the messages traced end to end. */
export function computeBreakdown(
  probe: { rate: number; pairs: number },
  timeline: MessageTimes[],
  commands: ReadonlyMap<string, TracedCommand>,
  facts: ReadonlyMap<string, TracedFact>,
): LatencyBreakdown {
  const traces: MessageTrace[] = [];
  for (const message of timeline) {
    const command = commands.get(message.clientMessageId);
    const fact = command && facts.get(command.correlationId);
    if (!command || !fact || message.ackedAt === null || message.deliveredAt === null) continue;
    traces.push({
      sentAt: message.sentAt,
      commandProducedAt: command.producedAt,
      receivedAt: fact.receivedAt,
      storedAt: fact.storedAt,
      factProducedAt: fact.producedAt,
      ackedAt: message.ackedAt,
      deliveredAt: message.deliveredAt,
    });
  }
  return {
    ...probe,
    sent: timeline.length,
    acked: timeline.filter((message) => message.ackedAt !== null).length,
    traced: traces.length,
    hops: HOPS.map(({ hop, span, ms }) => {
      const recorder = new LatencyRecorder();
      for (const trace of traces) recorder.record(ms(trace));
      return { hop, span, latency: recorder.summary() };
    }),
  };
}

/** Runs the light-load probe against ours (started here: its topics are known) and reads its records. */
export async function measureBreakdown(
  target: RunningTarget,
  context: RunContext,
  infra: Infra,
  topicPrefix: string,
): Promise<LatencyBreakdown> {
  const { plan } = context;
  const runTag = `${context.runTag}t`;
  const bus = new EventBus({
    brokers: infra.kafkaBrokers.split(','),
    schemaRegistryUrl: infra.schemaRegistryUrl,
    clientId: `${runTag}-trace`,
    topicPrefix,
    partitions: 3,
    logger: createLogger({ name: 'bench-trace', level: 'warn' }),
  });
  const commands = new Map<string, TracedCommand>();
  const facts = new Map<string, TracedFact>();
  await bus.start();
  try {
    // A group of its own from the beginning of ours' fresh topics, committing nothing: it only reads.
    await bus.subscribe({
      groupId: `${runTag}.trace`,
      fromBeginning: true,
      commitOffsets: false,
      handlers: {
        [Topics.messageSent]: async (events) => {
          for (const { value, headers, timestamp } of events) {
            const correlationId = headers[KafkaHeaders.correlationId];
            if (correlationId && value.clientMessageId.startsWith(runTag))
              commands.set(value.clientMessageId, { correlationId, producedAt: timestamp });
          }
        },
        [Topics.messagePersisted]: async (events) => {
          for (const { headers, timestamp } of events) {
            const correlationId = headers[KafkaHeaders.correlationId];
            const receivedAt = Number(headers[KafkaHeaders.receivedAt]);
            const storedAt = Number(headers[KafkaHeaders.storedAt]);
            // A fact published again (a redelivered command) keeps the first one's times.
            if (!correlationId || facts.has(correlationId) || !receivedAt || !storedAt) continue;
            facts.set(correlationId, { producedAt: timestamp, receivedAt, storedAt });
          }
        },
      },
    });
    const { pairs, rate, durationMs } = plan.trace;
    log(`ours: latency breakdown probe, ${pairs} pairs at ${rate} msg/s for ${durationMs / 1000} s`);
    const result = (await runLoad(
      {
        kind: 'sweep',
        target: target.name,
        url: target.url,
        jwtSecret: target.jwtSecret,
        runTag,
        pairs,
        steps: [{ rate, durationMs }],
        drainMs: plan.drainMs,
        p99BoundMs: plan.p99BoundMs,
        runThroughRate: 0,
        sourceAddresses: sourceAddressesFor(target.url, plan.sourceAddresses),
        timeline: true,
      },
      `${context.outDir}/work/${target.name}-trace.json`,
      () => {},
      durationMs + plan.drainMs + 90_000,
    )) as SweepResult;
    const traced = () =>
      result.timeline.every((message) => {
        const command = commands.get(message.clientMessageId);
        return message.ackedAt === null || (command !== undefined && facts.has(command.correlationId));
      });
    for (const deadline = Date.now() + 15_000; !traced() && Date.now() < deadline; ) await sleep(100);
    const breakdown = computeBreakdown({ rate, pairs }, result.timeline, commands, facts);
    log(
      `ours: ${breakdown.traced} of ${breakdown.acked} acked messages traced through Kafka and the persister`,
    );
    return breakdown;
  } finally {
    await bus.stop();
  }
}
