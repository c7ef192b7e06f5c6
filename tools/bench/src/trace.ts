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
import { computeBreakdown, type LatencyBreakdown, type TracedCommand, type TracedFact } from './breakdown.js';
import { sourceAddressesFor } from './client.js';
import { log } from './log.js';
import type { RunContext } from './measure.js';
import type { SweepResult } from './protocol.js';
import { runLoad } from './run-load.js';
import type { Infra, RunningTarget } from './targets.js';

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
    partitions: Number(plan.oursSettings.KAFKA_PARTITIONS),
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
        // A second's load first, so that each conversation's first write is not among the traced messages.
        warmUp: { rate, durationMs: 1000 },
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
