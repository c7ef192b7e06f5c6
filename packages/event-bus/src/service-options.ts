import type { ServiceSettings } from '@chat/runtime';
import type { EventBusOptions } from './bus.js';

/** The bus options every service reads the same way from its settings; each adds its client id, logger and metrics. */
export function busOptionsOf(
  settings: Pick<
    ServiceSettings,
    | 'kafkaBrokers'
    | 'schemaRegistryUrl'
    | 'kafkaTopicPrefix'
    | 'kafkaPartitions'
    | 'kafkaSessionTimeoutMs'
    | 'kafkaProduceLingerMs'
  >,
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
