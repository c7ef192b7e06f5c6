import {
  CompactedTopics,
  type EventsByTopic,
  type EventTopic,
  KafkaHeaders,
  type TopicName,
  Topics,
} from '@chat/contracts';
import { type CodedError, isRetriable } from '@chat/runtime';
import {
  type Consumer,
  type IHeaders,
  Kafka,
  type KafkaMessage,
  logLevel,
  Partitioners,
  type Producer,
} from 'kafkajs';
import type { Logger } from 'pino';
import { Counter, Gauge, Registry } from 'prom-client';
import { RegistryCodec } from './codec.js';
import { DecodeError, decodeRetrying, handleSorting, RETRY_POLICY } from './failures.js';
import { GroupWatch } from './group-watch.js';
import { kafkaLogCreator } from './kafka-log.js';
import { Outbox } from './outbox.js';

export interface EventBusOptions {
  brokers: string[];
  schemaRegistryUrl: string;
  clientId: string;
  /** Prepended to every topic name; lets several deployments (or tests) share one cluster. */
  topicPrefix: string;
  logger: Logger;
  /** Partitions for topics this process creates. */
  partitions: number;
  /**
   * How long the group waits for a silent consumer (e.g. a killed process) before giving its partitions away.
   * Heartbeats go out every third of it.
   */
  sessionTimeoutMs?: number;
  /** How long a publish that finds the producer idle waits for others to share its request (default 0). */
  produceLingerMs?: number;
  /** Where consumer lag and dead letters are counted (`/metrics`); a private registry when absent. */
  metrics?: Registry;
  /**
   * Recognises the transient failures of this process's other dependencies (the database is down), which a
   * consumer retries until they pass and never dead-letters. Errors that say `retriable` (ours, KafkaJS's) are
   * recognised without it.
   */
  isTransient?: (error: unknown) => boolean;
}

/** The bus's Prometheus series; topic labels are base names, without the deployment's prefix. */
function busMetrics(registry: Registry) {
  return {
    consumerLag: new Gauge({
      name: 'chat_kafka_consumer_lag',
      help: "Records behind the partition's high watermark after the consumer's latest batch.",
      labelNames: ['group', 'topic', 'partition'] as const,
      registers: [registry],
    }),
    deadLetters: new Counter({
      name: 'chat_dead_letters_total',
      help: 'Records set aside to the dead-letter topic, by why (the dlq-error-code header).',
      labelNames: ['group', 'topic', 'code'] as const,
      registers: [registry],
    }),
    consumerFailures: new Counter({
      name: 'chat_kafka_consumer_failures_total',
      help: 'Failed attempts to decode a record or to handle records, by whether they are retried until they pass.',
      labelNames: ['group', 'topic', 'stage', 'retriable'] as const,
      registers: [registry],
    }),
  };
}

export interface OutgoingEvent<T extends EventTopic> {
  key: string;
  value: EventsByTopic[T];
  headers?: Record<string, string>;
}

export interface IncomingEvent<T extends EventTopic> {
  key: string;
  value: EventsByTopic[T];
  headers: Record<string, string>;
  partition: number;
  offset: string;
  /** The record's timestamp, ms since the epoch: when its producer created it (the topics' CreateTime). */
  timestamp: number;
}

/**
 * Handles one batch of decoded events from one partition; it must be idempotent. Records that break the rules go
 * to `deadLetter`. Throwing fails the events: an error that says `retriable` (or that the bus's `isTransient`
 * recognises) has them tried again until they pass; any other has the bus find the record that fails by itself,
 * try it a few times and dead-letter it (see `handleSorting`).
 */
export type BatchHandler<T extends EventTopic> = (
  events: IncomingEvent<T>[],
  deadLetter: DeadLetter<T>,
) => Promise<void>;

export type BatchHandlers = { [T in EventTopic]?: BatchHandler<T> };

export interface SubscribeOptions {
  groupId: string;
  /** Whether a group with no committed offset starts at the oldest record (true) or only sees new ones. */
  fromBeginning: boolean;
  /**
   * One handler per topic. All topics share one consumer, and its batches run one at a time, so handlers
   * never run concurrently with each other.
   */
  handlers: BatchHandlers;
  /**
   * How many partitions' batches may be in their handlers at once (default 1). Batches of one partition never
   * overlap; handlers that touch shared state must serialize themselves above 1.
   */
  concurrency?: number;
  /**
   * Whether the group's progress is stored in Kafka (default true). A reader that always starts from the
   * beginning or from the end (a gateway's private group) has no use for it, and each commit is a write.
   */
  commitOffsets?: boolean;
  /**
   * Called each time the consumer has (re)joined its group, before it consumes under the new assignment: its
   * partitions may have moved, so whatever it cached about the records of its old ones may be stale.
   */
  onGroupJoin?: () => void;
}

/** Where a consumer's attempt failed: decoding a record, or handling records. */
type Stage = 'decode' | 'handle';

export type DeadLetter<T extends EventTopic> = (event: IncomingEvent<T>, reason: string) => Promise<void>;

/** Headers for a fact answering `command`: its correlation id, echoed, so the waiting gateway finds its request. */
export function replyHeaders(command: { headers: Record<string, string> }): Record<string, string> {
  const correlationId = command.headers[KafkaHeaders.correlationId];
  return correlationId ? { [KafkaHeaders.correlationId]: correlationId } : {};
}

function headersToStrings(headers: IHeaders | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value !== undefined) result[name] = String(Array.isArray(value) ? value[0] : value);
  }
  return result;
}

/**
 * All Kafka access of the service. KafkaJS is in maintenance mode: replacing it must touch this package only.
 */
export class EventBus {
  private readonly kafka: Kafka;
  private readonly codec: RegistryCodec;
  private readonly producer: Producer;
  private readonly consumers: Consumer[] = [];
  private producerConnected = false;
  /** Each consumer's group id while it is not consuming under an assignment (starting, rebalancing, crashed). */
  private readonly idleConsumers = new Map<Consumer, string>();
  private readonly watches: GroupWatch[] = [];
  private readonly outbox: Outbox;
  private readonly metrics: ReturnType<typeof busMetrics>;

  constructor(private readonly options: EventBusOptions) {
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      logCreator: kafkaLogCreator(options.logger.child({ component: 'kafkajs' })),
      logLevel: logLevel.WARN,
    });
    this.metrics = busMetrics(options.metrics ?? new Registry());
    this.codec = new RegistryCodec(options.schemaRegistryUrl, (topic) => this.topicName(topic));
    // Idempotent producer: a retried send after a lost broker response is not written twice.
    this.producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    this.outbox = new Outbox(
      (topicMessages) => this.producer.sendBatch({ topicMessages }),
      options.produceLingerMs,
    );
    this.producer.on(this.producer.events.CONNECT, () => {
      this.producerConnected = true;
    });
    this.producer.on(this.producer.events.DISCONNECT, () => {
      this.producerConnected = false;
    });
  }

  topicName(topic: string): string {
    return `${this.options.topicPrefix}${topic}`;
  }

  /** Creates the service's topics if missing, registers the schemas and connects the producer. */
  async start(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const missing = Object.values(Topics).filter((topic) => !existing.has(this.topicName(topic)));
      if (missing.length > 0) {
        await admin
          .createTopics({
            waitForLeaders: true,
            topics: missing.map((topic: TopicName) => ({
              topic: this.topicName(topic),
              numPartitions: this.options.partitions,
              configEntries: CompactedTopics.includes(topic)
                ? [{ name: 'cleanup.policy', value: 'compact' }]
                : [],
            })),
          })
          .catch(async (error: unknown) => {
            // Another process may have created them at the same moment: only a topic still missing is an error.
            const now = new Set(await admin.listTopics());
            if (missing.some((topic) => !now.has(this.topicName(topic)))) throw error;
          });
      }
    } finally {
      await admin.disconnect();
    }
    await this.codec.registerAll();
    await this.producer.connect();
  }

  async publish<T extends EventTopic>(topic: T, events: OutgoingEvent<T>[]): Promise<void> {
    if (events.length === 0) return;
    const messages = await Promise.all(
      events.map(async (event) => ({
        key: event.key,
        value: await this.codec.encode(topic, event.value),
        headers: event.headers ?? {},
      })),
    );
    await this.outbox.enqueue(this.topicName(topic), messages);
  }

  /**
   * Sets a record aside for good: to the dead-letter topic with where it came from and why, counted, and logged
   * once.
   */
  private async sendToDeadLetter(
    source: EventTopic,
    partition: number,
    message: KafkaMessage,
    consumerGroup: string,
    why: { code: string; reason: string },
  ): Promise<void> {
    this.options.logger.error(
      { topic: source, partition, offset: message.offset, code: why.code, reason: why.reason },
      'record set aside to the dead-letter topic',
    );
    await this.producer.send({
      topic: this.topicName(Topics.deadLetter),
      messages: [
        {
          key: message.key,
          value: message.value,
          headers: {
            ...message.headers,
            [KafkaHeaders.deadLetterSourceTopic]: this.topicName(source),
            [KafkaHeaders.deadLetterSourcePartition]: String(partition),
            [KafkaHeaders.deadLetterSourceOffset]: message.offset,
            [KafkaHeaders.deadLetterReason]: why.reason.slice(0, 1000),
            [KafkaHeaders.deadLetterErrorCode]: why.code,
            [KafkaHeaders.deadLetterConsumer]: consumerGroup,
          },
        },
      ],
    });
    this.metrics.deadLetters.inc({ group: consumerGroup, topic: source, code: why.code });
  }

  private async decodeRecord(topic: EventTopic, message: KafkaMessage) {
    if (message.value === null) throw new DecodeError('NO_VALUE', 'record has no value');
    return this.codec.decode(topic, message.value);
  }

  /**
   * Counts the failed attempts of one stage of one partition, and logs them without flooding: a retriable failure
   * at warn level when it starts (then at debug) and at info once it went through, so a dependency that is down
   * for minutes costs two lines; the first failure that sends the handler looking for a record at fault at warn
   * level. A record set aside is logged where it is set aside.
   */
  private failureCounter(
    where: { group: string; topic: EventTopic; partition: number },
    stage: Stage,
  ): { failed: (error: CodedError) => void; settled: () => void } {
    const logger = this.options.logger;
    let retried = 0;
    let since = 0;
    let searching = false;
    return {
      failed: (error) => {
        const { group, topic } = where;
        this.metrics.consumerFailures.inc({ group, topic, stage, retriable: String(error.retriable) });
        const details = { ...where, stage, code: error.code, err: error };
        if (!error.retriable) {
          if (stage === 'handle' && !searching)
            logger.warn(details, 'handler failed; finding the record at fault');
          searching = true;
          return;
        }
        retried += 1;
        if (retried > 1) return logger.debug({ ...details, failures: retried }, `${stage} failed again`);
        since = Date.now();
        logger.warn(details, `${stage} failed; retrying until it passes`);
      },
      settled: () => {
        if (retried > 0) {
          logger.info(
            { ...where, stage, failures: retried, ms: Date.now() - since },
            `${stage} passed after failing`,
          );
        }
        retried = 0;
        searching = false;
      },
    };
  }

  /** Consumes topics in batches; a batch's offsets are committed only after its handler resolved. */
  async subscribe(options: SubscribeOptions): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: options.groupId,
      allowAutoTopicCreation: false,
      ...(this.options.sessionTimeoutMs
        ? {
            sessionTimeout: this.options.sessionTimeoutMs,
            heartbeatInterval: Math.floor(this.options.sessionTimeoutMs / 3),
          }
        : {}),
    });
    this.consumers.push(consumer);
    this.idleConsumers.set(consumer, options.groupId);
    const idle = () => this.idleConsumers.set(consumer, options.groupId);
    consumer.on(consumer.events.CRASH, idle);
    consumer.on(consumer.events.REBALANCING, idle);
    // Lag series of the partitions this consumer reported on; its partitions may move at each join.
    const lagSeries = new Map<string, { group: string; topic: EventTopic; partition: number }>();
    consumer.on(consumer.events.GROUP_JOIN, () => {
      this.idleConsumers.delete(consumer);
      for (const labels of lagSeries.values()) this.metrics.consumerLag.remove(labels);
      lagSeries.clear();
      options.onGroupJoin?.();
    });
    // Failures of each partition's stages, kept across redeliveries of the same records.
    const failureCounters = new Map<string, ReturnType<EventBus['failureCounter']>>();
    const failureCounter = (where: { group: string; topic: EventTopic; partition: number }, stage: Stage) => {
      const key = `${where.topic}/${where.partition}/${stage}`;
      let counter = failureCounters.get(key);
      if (counter === undefined) {
        counter = this.failureCounter(where, stage);
        failureCounters.set(key, counter);
      }
      return counter;
    };
    const topicsByName = new Map(
      (Object.keys(options.handlers) as EventTopic[]).map((topic) => [this.topicName(topic), topic]),
    );
    await consumer.connect();
    await consumer.subscribe({ topics: [...topicsByName.keys()], fromBeginning: options.fromBeginning });
    await consumer.run({
      // Offsets are resolved by hand after each handled batch; kafkajs commits only resolved offsets, at most
      // once a second: a crash replays up to a second of batches, which the idempotent handlers absorb.
      eachBatchAutoResolve: false,
      autoCommit: options.commitOffsets ?? true,
      autoCommitInterval: 1000,
      partitionsConsumedConcurrently: options.concurrency ?? 1,
      eachBatch: async ({
        batch,
        heartbeat,
        isRunning,
        isStale,
        resolveOffset,
        commitOffsetsIfNecessary,
      }) => {
        const topic = topicsByName.get(batch.topic) as EventTopic;
        const handler = options.handlers[topic] as BatchHandler<EventTopic>;
        const where = { group: options.groupId, topic, partition: batch.partition };
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
        const deadLetterRecord = async (message: KafkaMessage, why: { code: string; reason: string }) => {
          if (setAside.has(message.offset)) return;
          setAside.add(message.offset);
          await this.sendToDeadLetter(topic, batch.partition, message, options.groupId, why);
        };
        const events: IncomingEvent<EventTopic>[] = [];
        const raw = new Map<string, KafkaMessage>();
        const decodeFailures = failureCounter(where, 'decode');
        for (const message of batch.messages) {
          if (!isRunning() || isStale()) return;
          const decoded = await decodeRetrying(() => heartbeating(() => this.decodeRecord(topic, message)), {
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
          events.push({
            key: message.key?.toString() ?? '',
            value: decoded.value,
            headers: headersToStrings(message.headers),
            partition: batch.partition,
            offset: message.offset,
            timestamp: Number(message.timestamp),
          });
          raw.set(message.offset, message);
        }
        const deadLetter: DeadLetter<EventTopic> = async (event, reason) => {
          const message = raw.get(event.offset);
          if (message) await deadLetterRecord(message, { code: 'REFUSED', reason });
        };
        if (events.length > 0) {
          const handleFailures = failureCounter(where, 'handle');
          const handled = await handleSorting(events, {
            policy: RETRY_POLICY,
            handle: (some) => heartbeating(() => handler(some, deadLetter)),
            isRetriable: (error) => isRetriable(error) || this.options.isTransient?.(error) === true,
            failed: handleFailures.failed,
            wait,
            deadLetter: async (event, error) => {
              const message = raw.get(event.offset) as KafkaMessage;
              await deadLetterRecord(message, {
                code: error.code,
                reason: `handler failed: ${error.message}`,
              });
            },
          });
          if (!handled) return;
          handleFailures.settled();
        }
        if (lost !== undefined) throw lost;
        const last = batch.messages.at(-1);
        if (last === undefined) return;
        resolveOffset(last.offset);
        lagSeries.set(`${topic}/${batch.partition}`, where);
        this.metrics.consumerLag.set(where, Number(BigInt(batch.highWatermark) - BigInt(last.offset) - 1n));
        await commitOffsetsIfNecessary();
        await heartbeat();
      },
    });
  }

  /** Each partition's next offset (high watermark) of `topic` now: how far a reader must get to be caught up. */
  async endOffsets(topic: EventTopic): Promise<Map<number, bigint>> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(this.topicName(topic));
      return new Map(offsets.map(({ partition, high }) => [partition, BigInt(high)]));
    } finally {
      await admin.disconnect();
    }
  }

  /**
   * Follows another process's consumer group (for the gateway: the persisters'): whether it has members, and
   * whether they own every partition of `topics`. Refreshed every `intervalMs` until `stop()`.
   */
  async watchGroup(groupId: string, topics: EventTopic[], intervalMs: number): Promise<GroupWatch> {
    const watch = new GroupWatch(
      this.kafka.admin(),
      groupId,
      topics.map((topic) => this.topicName(topic)),
      intervalMs,
    );
    await watch.start();
    this.watches.push(watch);
    return watch;
  }

  /**
   * What `/readyz` reports for Kafka: true when the producer is connected and every consumer consumes under
   * an assignment (joined its group, not crashed, not rebalancing); otherwise why not.
   */
  health(): true | string {
    if (!this.producerConnected) return 'the Kafka producer is not connected';
    const idle = [...this.idleConsumers.values()];
    if (idle.length > 0)
      return `consumer group ${idle.join(', ')} has no assignment yet (joining or crashed)`;
    return true;
  }

  /** Stops consuming (finishing the batch in hand; each consumer leaves its group), then closes the producer. */
  async stop(): Promise<void> {
    await Promise.allSettled(this.watches.map((watch) => watch.stop()));
    await Promise.allSettled(this.consumers.map((consumer) => consumer.disconnect()));
    await this.producer.disconnect();
  }
}
