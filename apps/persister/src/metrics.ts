import { Histogram, type Registry } from 'prom-client';

/** What the persister records besides the bus's and the process's metrics (docs/operations.md lists them all). */
export function persisterMetrics(registry: Registry) {
  return {
    batchSize: new Histogram({
      name: 'chat_persister_batch_size',
      help: 'Messages stored by one merged write.',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
      registers: [registry],
    }),
    dbWriteSeconds: new Histogram({
      name: 'chat_persister_db_write_seconds',
      help: 'Time of one database write, by kind: messages, read_markers, last_seen.',
      labelNames: ['kind'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
  };
}

export type PersisterMetrics = ReturnType<typeof persisterMetrics>;
