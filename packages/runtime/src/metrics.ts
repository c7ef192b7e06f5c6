import { createHash, timingSafeEqual } from 'node:crypto';
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

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * Whether a scrape may read `/metrics`: always when no METRICS_TOKEN is set (the path is then kept internal by
 * the deployment), otherwise only with `Authorization: Bearer <token>`. Compared in constant time.
 */
export function metricsScrapeAllowed(authorization: string | undefined, token: string | undefined): boolean {
  if (token === undefined) return true;
  const presented = authorization?.match(/^Bearer\s+(.+)$/i)?.[1] ?? '';
  return timingSafeEqual(digest(presented), digest(token));
}
