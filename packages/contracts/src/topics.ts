/**
 * Every Kafka topic, defined once. Commands ask for something to be done; facts say that it happened.
 * Deployments (and tests) may prepend a prefix; the base names never change.
 */
export const Topics = Object.freeze({
  /** Command: store this message. Key: conversationId. Producer: gateway. Consumer: persister. */
  messageSent: 'message.sent',
  /** Fact: this message is stored. Key: conversationId. Producer: persister. Consumers: every gateway. */
  messagePersisted: 'message.persisted',
  /** Records that could not be decoded or processed, with the reason in headers. Producer: any consumer. */
  deadLetter: 'dead-letter',
});

export type TopicName = (typeof Topics)[keyof typeof Topics];

/** Kafka record headers we set; values are UTF-8 strings. */
export const Headers = Object.freeze({
  /** Set by the gateway on a command, echoed by the persister on the fact it causes. */
  correlationId: 'correlation-id',
  /** On dead letters: where the record came from and why it was set aside. */
  deadLetterSourceTopic: 'dlq-source-topic',
  deadLetterSourcePartition: 'dlq-source-partition',
  deadLetterSourceOffset: 'dlq-source-offset',
  deadLetterReason: 'dlq-reason',
  deadLetterConsumer: 'dlq-consumer',
});
