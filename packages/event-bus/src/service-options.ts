import type { EventBusOptions } from './bus.js';

/** The Kafka settings every service reads the same way (`serviceSettings` in @chat/runtime). */
interface KafkaSettings {
  kafkaBrokers: string[];
  schemaRegistryUrl: string;
  kafkaTopicPrefix: string;
  kafkaPartitions: number;
  kafkaSessionTimeoutMs: number;
  kafkaProduceLingerMs: number;
}

/** The bus options every service reads from its settings; each adds its client id, logger and metrics. */
export function busOptionsOf(
  settings: KafkaSettings,
): Pick<
  EventBusOptions,
  'brokers' | 'schemaRegistryUrl' | 'topicPrefix' | 'partitions' | 'sessionTimeoutMs' | 'produceLingerMs'
> {
  return {
    brokers: settings.kafkaBrokers,
    schemaRegistryUrl: settings.schemaRegistryUrl,
    topicPrefix: settings.kafkaTopicPrefix,
    partitions: settings.kafkaPartitions,
    sessionTimeoutMs: settings.kafkaSessionTimeoutMs,
    produceLingerMs: settings.kafkaProduceLingerMs,
  };
}
