import { KafkaHeaders, Topics } from '@chat/contracts';
import type { KafkaMessage, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { BusMetrics, ConsumerPlace } from './metrics.js';

/** Why a record is set aside: a stable code (the dlq-error-code header) and a reason for people. */
export interface SetAsideReason {
  code: string;
  reason: string;
}

/** The dead-letter topic, where records no consumer can ever process are set aside. */
export class DeadLetters {
  constructor(
    private readonly producer: Producer,
    private readonly topicName: (topic: string) => string,
    private readonly logger: Logger,
    private readonly counter: BusMetrics['deadLetters'],
  ) {}

  /** Sets a record aside for good, with where it came from and why; counted, and logged once. */
  async setAside(from: ConsumerPlace & { message: KafkaMessage }, why: SetAsideReason): Promise<void> {
    const { group, topic, partition, message } = from;
    this.logger.error(
      { topic, partition, offset: message.offset, code: why.code, reason: why.reason },
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
            [KafkaHeaders.deadLetterSourceTopic]: this.topicName(topic),
            [KafkaHeaders.deadLetterSourcePartition]: String(partition),
            [KafkaHeaders.deadLetterSourceOffset]: message.offset,
            [KafkaHeaders.deadLetterReason]: why.reason.slice(0, 1000),
            [KafkaHeaders.deadLetterErrorCode]: why.code,
            [KafkaHeaders.deadLetterConsumer]: group,
          },
        },
      ],
    });
    this.counter.inc({ group, topic, code: why.code });
  }
}
