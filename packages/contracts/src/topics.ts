import {
  NotificationFailedSchema,
  PresenceConnectionSchema,
  PresenceGatewaySchema,
  RepliedIn24hrFirstSchema,
  TypingChangedSchema,
} from './avro.js';
import { commandTopicIds } from './commands.js';
import type { RecordSchema, Simplify } from './events.js';

/** A topic of facts that answer no command: its name and Avro schema (registered as `<topic>-value`). */
interface FactSpec {
  topic: string;
  schema: RecordSchema;
}

/**
 * The facts that answer no command, each defined once. (The facts that answer commands are defined with their
 * command, in `Commands`.) The key is the topic's id in `Topics`.
 */
export const Facts = {
  /** Compacted: a user's connection count on one gateway went from 0 to 1 or back. Key: `<gatewayId>/<userId>`. Producer: gateways. Consumers: every gateway, persister. */
  presenceConnection: { topic: 'presence.connection', schema: PresenceConnectionSchema },
  /** Compacted: a gateway is alive, or stopping. Key: gatewayId. Producer: gateways. Consumers: every gateway. */
  presenceGateway: { topic: 'presence.gateway', schema: PresenceGatewaySchema },
  /** A user replied to the other participant's message within 24 h, the first time in a 24 h window. Key: conversationId. Producer: persister. Consumers: downstream services (rewards). */
  repliedIn24hrFirst: { topic: 'replied.in.24hr.first', schema: RepliedIn24hrFirstSchema },
  /** Never stored: a member is typing, or stopped. Key: conversationId. Producer: gateways. Consumers: every gateway. */
  typingChanged: { topic: 'typing.changed', schema: TypingChangedSchema },
  /** A webhook notification given up after its last attempt, with the last error. Key: recipientId. Producer: notifier. Consumers: operators, downstream services. */
  notificationFailed: { topic: 'notification.failed', schema: NotificationFailedSchema },
} as const satisfies Record<string, FactSpec>;

type FactTopicIds = { readonly [Id in keyof typeof Facts]: (typeof Facts)[Id]['topic'] };

/**
 * Every Kafka topic by its id, derived from `Commands` and `Facts`. Commands ask for something to be done; facts
 * say that it happened. Deployments (and tests) may prepend a prefix; the base names never change.
 */
export const Topics = Object.freeze({
  ...commandTopicIds,
  ...(Object.fromEntries(Object.entries(Facts).map(([id, { topic }]) => [id, topic])) as FactTopicIds),
  /** Records that could not be decoded or processed, with the reason in headers. Producer: any consumer. */
  deadLetter: 'dead-letter',
} as const) as Simplify<typeof commandTopicIds & FactTopicIds & { readonly deadLetter: 'dead-letter' }>;

export type TopicName = (typeof Topics)[keyof typeof Topics];

/** Topics whose latest record per key is the state: Kafka compacts them, and readers rebuild from them. */
export const CompactedTopics: readonly TopicName[] = [Topics.presenceConnection, Topics.presenceGateway];

/** Kafka record headers we set; values are UTF-8 strings. */
export const KafkaHeaders = Object.freeze({
  /** Set by the gateway on a command, echoed by the persister on the fact it causes. */
  correlationId: 'correlation-id',
  /**
   * Informational trace, on `message.persisted`: ms since the epoch when the persister's handler received the
   * command's batch, and when the database writes of the job that stored it finished. For measurement
   * (`pnpm bench`); no consumer may depend on them.
   */
  receivedAt: 'received-at',
  storedAt: 'stored-at',
  /** On dead letters: where the record came from and why it was set aside (the reason, and its stable code). */
  deadLetterSourceTopic: 'dlq-source-topic',
  deadLetterSourcePartition: 'dlq-source-partition',
  deadLetterSourceOffset: 'dlq-source-offset',
  deadLetterReason: 'dlq-reason',
  deadLetterErrorCode: 'dlq-error-code',
  deadLetterConsumer: 'dlq-consumer',
  /** On a command: the gateway that sent it, so the fact that answers it is delivered there. */
  originGateway: 'origin-gateway',
  /** On a delivery record: the fact topic whose record it carries (and whose schema decodes it). */
  factTopic: 'fact-topic',
});

/**
 * A gateway's delivery topic: the facts for the users connected to it (and the answers to its own commands),
 * published there by whoever publishes the fact, besides the fact's own topic. Created by the gateway.
 */
export const deliveryTopic = (gatewayId: string) => `delivery.${gatewayId}`;
