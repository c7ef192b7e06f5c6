import type { EventsByTopic, EventTopic } from '@chat/contracts';
import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { SetAsideReason } from './dead-letters.js';
import {
  type BatchHandler,
  type BatchHandlers,
  type DeadLetter,
  type IncomingEvent,
  incomingEvent,
} from './events.js';
import type { FailureLogs } from './failure-log.js';
import { decodeRetrying, handleSorting, RETRY_POLICY } from './failures.js';
import type { ConsumerLag, ConsumerPlace } from './metrics.js';

/** What one consumer's batches need: its group and handlers, and the bus's decoding, dead letters and metrics. */
export interface BatchConsumer {
  groupId: string;
  handlers: BatchHandlers;
  /** Each handled topic by its full name (with the deployment's prefix). */
  topicsByName: ReadonlyMap<string, EventTopic>;
  decode: (topic: EventTopic, message: KafkaMessage) => Promise<EventsByTopic[EventTopic]>;
  /** Whether a handler's failure may pass on a later attempt (then it is retried until it does). */
  isRetriable: (error: unknown) => boolean;
  deadLetter: (from: ConsumerPlace & { message: KafkaMessage }, why: SetAsideReason) => Promise<void>;
  failureLogs: FailureLogs;
  lag: ConsumerLag;
}

/**
 * Consumes one batch of one partition: decodes each record (retrying the registry, setting aside what never
 * decodes), hands the events to the topic's handler (sorting its failures), then resolves and commits the batch.
 * It lets go without resolving when the consumer stops or the partition moves.
 */
export function consumeBatches(consumer: BatchConsumer) {
  return async ({
    batch,
    heartbeat,
    isRunning,
    isStale,
    resolveOffset,
    commitOffsetsIfNecessary,
  }: EachBatchPayload): Promise<void> => {
    const topic = consumer.topicsByName.get(batch.topic) as EventTopic;
    const handler = consumer.handlers[topic] as BatchHandler<EventTopic>;
    const where: ConsumerPlace = { group: consumer.groupId, topic, partition: batch.partition };
    // An attempt may outlast the session timeout (a database that is down takes seconds to say so):
    // heartbeats go on meanwhile, so the group does not rebalance around a member that is only waiting. A
    // heartbeat that finds the group rebalancing is thrown at the next chance, and KafkaJS rejoins.
    let lost: unknown;
    const heartbeating = async <T>(attempt: () => Promise<T>): Promise<T> => {
      const timer = setInterval(() => {
        heartbeat().catch((error: unknown) => {
          lost ??= error;
        });
      }, 1000);
      try {
        return await attempt();
      } finally {
        clearInterval(timer);
      }
    };
    // Between attempts: let go when the consumer stops or the partition moved.
    const wait = async (ms: number) => {
      await new Promise((resolve) => setTimeout(resolve, ms));
      if (lost !== undefined) throw lost;
      if (!isRunning() || isStale()) return false;
      await heartbeat();
      return true;
    };
    // Each record is set aside once, however often the handler's attempts ask for it.
    const setAside = new Set<string>();
    const deadLetterRecord = async (message: KafkaMessage, why: SetAsideReason) => {
      if (setAside.has(message.offset)) return;
      setAside.add(message.offset);
      await consumer.deadLetter({ ...where, message }, why);
    };
    const events: IncomingEvent<EventTopic>[] = [];
    const raw = new Map<string, KafkaMessage>();
    const decodeFailures = consumer.failureLogs.of(where, 'decode');
    for (const message of batch.messages) {
      if (!isRunning() || isStale()) return;
      const decoded = await decodeRetrying(() => heartbeating(() => consumer.decode(topic, message)), {
        policy: RETRY_POLICY,
        failed: decodeFailures.failed,
        wait,
      });
      if (decoded === undefined) return;
      decodeFailures.settled();
      if ('error' in decoded) {
        await deadLetterRecord(message, {
          code: decoded.error.code,
          reason: `undecodable: ${decoded.error.message}`,
        });
        continue;
      }
      events.push(incomingEvent(message, batch.partition, decoded.value));
      raw.set(message.offset, message);
    }
    const deadLetter: DeadLetter<EventTopic> = async (event, reason) => {
      const message = raw.get(event.offset);
      if (message) await deadLetterRecord(message, { code: 'REFUSED', reason });
    };
    if (events.length > 0) {
      const handleFailures = consumer.failureLogs.of(where, 'handle');
      const handled = await handleSorting(events, {
        policy: RETRY_POLICY,
        handle: (some) => heartbeating(() => handler(some, deadLetter)),
        isRetriable: consumer.isRetriable,
        failed: handleFailures.failed,
        wait,
        deadLetter: async (event, error) => {
          const message = raw.get(event.offset) as KafkaMessage;
          await deadLetterRecord(message, { code: error.code, reason: `handler failed: ${error.message}` });
        },
      });
      if (!handled) return;
      handleFailures.settled();
    }
    if (lost !== undefined) throw lost;
    const last = batch.messages.at(-1);
    if (last === undefined) return;
    resolveOffset(last.offset);
    consumer.lag.report(where, batch.highWatermark, last.offset);
    await commitOffsetsIfNecessary();
    await heartbeat();
  };
}
