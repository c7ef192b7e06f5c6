/**
 * Every Kafka topic, defined once. Commands ask for something to be done; facts say that it happened.
 * Deployments (and tests) may prepend a prefix; the base names never change.
 */
export const Topics = Object.freeze({
  /** Command: store this message. Key: conversationId. Producer: gateway. Consumer: persister. */
  messageSent: 'message.sent',
  /** Fact: this message is stored. Key: conversationId. Producer: persister. Consumers: every gateway. */
  messagePersisted: 'message.persisted',
  /** Command: the reader opened this conversation now. Key: conversationId. Producer: gateway. Consumer: persister. */
  conversationRead: 'conversation.read',
  /** Fact: a read marker moved (or stayed, if already later). Key: conversationId. Producer: persister. Consumers: every gateway. */
  conversationReadPersisted: 'conversation.read.persisted',
  /** Fact (compacted): a user's connection count on one gateway went from 0 to 1 or back. Key: `<gatewayId>/<userId>`. Producer: gateways. Consumers: every gateway, persister. */
  presenceConnection: 'presence.connection',
  /** Fact (compacted): a gateway is alive, or stopping. Key: gatewayId. Producer: gateways. Consumers: every gateway. */
  presenceGateway: 'presence.gateway',
  /** Fact: a user replied to the other participant's message within 24 h, the first time in a 24 h window. Key: conversationId. Producer: persister. Consumers: downstream services (rewards). */
  repliedIn24hrFirst: 'replied.in.24hr.first',
  /** Command: create a group, add members, remove one. Key: conversationId. Producer: gateway. Consumer: persister. */
  groupChange: 'group.change',
  /** Fact: a group change stored (or refused), with the participants after it. Key: conversationId. Producer: persister. Consumers: every gateway. */
  groupChangePersisted: 'group.change.persisted',
  /** Command: a member's device received messages up to a seq. Key: conversationId. Producer: gateway. Consumer: persister. */
  messageDelivered: 'message.delivered',
  /** Fact: a delivered marker as stored. Key: conversationId. Producer: persister. Consumers: every gateway. */
  messageDeliveredPersisted: 'message.delivered.persisted',
  /** Command: edit a message, delete it (for everyone or for the actor), set the actor's reactions on it. Key: conversationId. Producer: gateway. Consumer: persister. */
  messageChange: 'message.change',
  /** Fact: a message change as stored (or refused), with the message after it. Key: conversationId. Producer: persister. Consumers: every gateway, downstream services. */
  messageChangePersisted: 'message.change.persisted',
  /** Fact, never stored: a member is typing, or stopped. Key: conversationId. Producer: gateways. Consumers: every gateway. */
  typingChanged: 'typing.changed',
  /** Command: mute a conversation for one member (until a time, or until unmuted), or unmute it. Key: conversationId. Producer: gateway. Consumer: persister. */
  conversationMute: 'conversation.mute',
  /** Fact: a member's mute as stored. Key: conversationId. Producer: persister. Consumers: every gateway. */
  conversationMutePersisted: 'conversation.mute.persisted',
  /** A webhook notification given up after its last attempt, with the last error. Key: recipientId. Producer: notifier. Consumers: operators, downstream services. */
  notificationFailed: 'notification.failed',
  /** Records that could not be decoded or processed, with the reason in headers. Producer: any consumer. */
  deadLetter: 'dead-letter',
});

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
