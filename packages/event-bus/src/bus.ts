import { deliveryTopic, type EventTopic, KafkaHeaders } from '@chat/contracts';
import { isRetriable } from '@chat/runtime';
import {
  type Consumer,
  Kafka,
  type KafkaMessage,
  logLevel,
  type Message,
  Partitioners,
  type Producer,
} from 'kafkajs';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { RegistryCodec } from './codec.js';
import { consumeBatches } from './consume.js';
import { DeadLetters } from './dead-letters.js';
import type { OutgoingEvent, SubscribeOptions } from './events.js';
import { FailureLogs } from './failure-log.js';
import { DecodeError } from './failures.js';
import { GroupWatch } from './group-watch.js';
import { kafkaLogCreator } from './kafka-log.js';
import { type BusMetrics, busMetrics, ConsumerLag } from './metrics.js';
import { Outbox } from './outbox.js';
import { createDeliveryTopic, createMissingTopics } from './topics.js';

/** Attempts at reading a topic's end offsets while its partitions have no leader yet (250 ms apart). */
const END_OFFSETS_ATTEMPTS = 40;

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
   * Heartbeats go out every third of it, and an idle consumer's fetch waits no longer than that.
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

/**
 * Heartbeats every third of the session, so one lost heartbeat does not evict a member. KafkaJS heartbeats only
 * between fetches: an idle consumer's fetch must come back within that third too (KafkaJS waits 5 s by default,
 * which a session under 7.5 s would not survive). The cost is one empty fetch a heartbeat while idle.
 */
function heartbeatSettings(sessionTimeoutMs: number) {
  const heartbeatInterval = Math.floor(sessionTimeoutMs / 3);
  return {
    sessionTimeout: sessionTimeoutMs,
    heartbeatInterval,
    maxWaitTimeInMs: Math.min(5000, heartbeatInterval),
  };
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
  private readonly metrics: BusMetrics;
  private readonly deadLetters: DeadLetters;

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
    this.deadLetters = new DeadLetters(
      this.producer,
      (topic) => this.topicName(topic),
      options.logger,
      this.metrics.deadLetters,
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
      await createMissingTopics(admin, (topic) => this.topicName(topic), this.options.partitions);
    } finally {
      await admin.disconnect();
    }
    await this.codec.registerAll();
    await this.producer.connect();
  }

  /**
   * Publishes events on their topic, and a copy of each on the delivery topic of every gateway it names in
   * `deliverTo` (the same bytes, with the `fact-topic` header saying how to decode them): one produce request.
   */
  async publish<T extends EventTopic>(topic: T, events: OutgoingEvent<T>[]): Promise<void> {
    if (events.length === 0) return;
    const deliveries = new Map<string, Message[]>();
    const messages = await Promise.all(
      events.map(async (event) => {
        const message = {
          key: event.key,
          value: await this.codec.encode(topic, event.value),
          headers: event.headers ?? {},
        };
        for (const gatewayId of event.deliverTo ?? []) {
          const delivery = this.topicName(deliveryTopic(gatewayId));
          const copies = deliveries.get(delivery) ?? [];
          copies.push({ ...message, headers: { ...message.headers, [KafkaHeaders.factTopic]: topic } });
          deliveries.set(delivery, copies);
        }
        return message;
      }),
    );
    await this.outbox.enqueueAll([
      { topic: this.topicName(topic), messages },
      ...[...deliveries].map(([delivery, copies]) => ({ topic: delivery, messages: copies })),
    ]);
  }

  private async decode(topic: EventTopic, message: KafkaMessage) {
    if (message.value === null) throw new DecodeError('NO_VALUE', 'record has no value');
    return this.codec.decode(topic, message.value);
  }

  /** Consumes topics in batches; a batch's offsets are committed only after its handler resolved. */
  async subscribe(options: SubscribeOptions): Promise<void> {
    const topicsByName = new Map(
      (Object.keys(options.handlers) as EventTopic[]).map((topic) => [this.topicName(topic), topic]),
    );
    await this.consume(options, [...topicsByName.keys()], (kafkaTopic) => topicsByName.get(kafkaTopic));
  }

  /**
   * Consumes this gateway's delivery topic (creating it if missing): the facts for its users and the answers
   * to its commands, each decoded as the topic its `fact-topic` header names and handed to that topic's
   * handler, in order. A gateway reads no fact that concerns none of its sockets.
   */
  async subscribeDeliveries(gatewayId: string, options: SubscribeOptions): Promise<void> {
    const topic = this.topicName(deliveryTopic(gatewayId));
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await createDeliveryTopic(admin, topic);
    } finally {
      await admin.disconnect();
    }
    await this.consume(options, [topic], (_kafkaTopic, message) => {
      const factTopic = message.headers?.[KafkaHeaders.factTopic]?.toString();
      return factTopic !== undefined && factTopic in options.handlers ? (factTopic as EventTopic) : undefined;
    });
  }

  private async consume(
    options: SubscribeOptions,
    topics: string[],
    topicOf: (kafkaTopic: string, message: KafkaMessage) => EventTopic | undefined,
  ): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: options.groupId,
      allowAutoTopicCreation: false,
      ...(this.options.sessionTimeoutMs ? heartbeatSettings(this.options.sessionTimeoutMs) : {}),
    });
    this.consumers.push(consumer);
    this.idleConsumers.set(consumer, options.groupId);
    const idle = () => this.idleConsumers.set(consumer, options.groupId);
    consumer.on(consumer.events.CRASH, idle);
    consumer.on(consumer.events.REBALANCING, idle);
    const lag = new ConsumerLag(this.metrics.consumerLag);
    consumer.on(consumer.events.GROUP_JOIN, () => {
      this.idleConsumers.delete(consumer);
      lag.forget();
      options.onGroupJoin?.();
    });
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: options.fromBeginning });
    await consumer.run({
      // Offsets are resolved by hand after each handled batch; kafkajs commits only resolved offsets, at most
      // once a second: a crash replays up to a second of batches, which the idempotent handlers absorb.
      eachBatchAutoResolve: false,
      autoCommit: options.commitOffsets ?? true,
      autoCommitInterval: 1000,
      partitionsConsumedConcurrently: options.concurrency ?? 1,
      eachBatch: consumeBatches({
        groupId: options.groupId,
        handlers: options.handlers,
        topicOf,
        baseName: (kafkaTopic) => kafkaTopic.slice(this.options.topicPrefix.length),
        decode: (topic, message) => this.decode(topic, message),
        isRetriable: (error) => isRetriable(error) || this.options.isTransient?.(error) === true,
        deadLetter: (from, why) => this.deadLetters.setAside(from, why),
        failureLogs: new FailureLogs(this.options.logger, this.metrics.consumerFailures),
        lag,
      }),
    });
  }

  /** Each partition's next offset (high watermark) of `topic` now: how far a reader must get to be caught up. */
  async endOffsets(topic: EventTopic): Promise<Map<number, bigint>> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      // A topic created a moment ago may not have its leaders yet (NOT_LEADER_FOR_PARTITION, retriable): the
      // process that created it, or one started just after, asks again rather than failing to start.
      for (let attempt = 1; ; attempt++) {
        try {
          const offsets = await admin.fetchTopicOffsets(this.topicName(topic));
          return new Map(offsets.map(({ partition, high }) => [partition, BigInt(high)]));
        } catch (error) {
          if (!isRetriable(error) || attempt >= END_OFFSETS_ATTEMPTS) throw error;
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      }
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
