import type { EventTopic } from '@chat/contracts';
import { Counter, Gauge, type Registry } from 'prom-client';

/** Where a consumer's records are: its group, and the topic (base name, without the prefix) and partition. */
export interface ConsumerPlace {
  group: string;
  topic: EventTopic;
  partition: number;
}

/** The bus's Prometheus series; topic labels are base names, without the deployment's prefix. */
export function busMetrics(registry: Registry) {
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

export type BusMetrics = ReturnType<typeof busMetrics>;

/** One consumer's lag series: its partitions may move at each join, and their series go with them. */
export class ConsumerLag {
  private readonly series = new Map<string, ConsumerPlace>();

  constructor(private readonly gauge: BusMetrics['consumerLag']) {}

  /** After a batch whose last record is `lastOffset`: how many records of its partition are left. */
  report(place: ConsumerPlace, highWatermark: string, lastOffset: string): void {
    this.series.set(`${place.topic}/${place.partition}`, place);
    this.gauge.set(place, Number(BigInt(highWatermark) - BigInt(lastOffset) - 1n));
  }

  forget(): void {
    for (const place of this.series.values()) this.gauge.remove(place);
    this.series.clear();
  }
}
