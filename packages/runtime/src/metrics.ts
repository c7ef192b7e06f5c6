import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * A Prometheus registry holding Node's default process metrics (CPU, memory, event loop lag, GC, handles), every
 * series labelled with the service's name. Each process creates one and hands it to whatever records metrics.
 */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}
