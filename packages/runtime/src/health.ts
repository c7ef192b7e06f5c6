import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';
import { metricsScrapeAllowed } from './metrics.js';

/**
 * Named dependency checks; each answers "is this dependency usable right now": `true`, or why it is not.
 * Checks are called on every `/readyz`, so they read cached state and never wait on the network.
 */
export type ReadinessChecks = Record<string, () => true | string>;

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, 'up' | 'down'>;
  /** Why each check that is down is down; absent when all are up. */
  reasons?: Record<string, string>;
}

export function readiness(checks: ReadinessChecks): ReadinessReport {
  const results: Record<string, 'up' | 'down'> = {};
  const reasons: Record<string, string> = {};
  for (const [name, check] of Object.entries(checks)) {
    const result = check();
    results[name] = result === true ? 'up' : 'down';
    if (result !== true) reasons[name] = result;
  }
  const ready = Object.keys(reasons).length === 0;
  return ready ? { ready, checks: results } : { ready, checks: results, reasons };
}

/**
 * `/healthz` (the process is alive), `/readyz` (its dependencies are connected) and `/metrics` (Prometheus text
 * format, behind `metricsToken` when one is set), for processes without HTTP of their own.
 */
export function startHealthServer(options: {
  host: string;
  port: number;
  checks: ReadinessChecks;
  metrics: Registry;
  metricsToken?: string | undefined;
}): Promise<Server> {
  const server = createServer((request, response) => {
    const respond = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (request.url === '/healthz') return respond(200, { status: 'ok' });
    if (request.url === '/readyz') {
      const report = readiness(options.checks);
      return respond(report.ready ? 200 : 503, report);
    }
    if (request.url === '/metrics') {
      if (!metricsScrapeAllowed(request.headers.authorization, options.metricsToken)) {
        return respond(401, { error: { code: 'UNAUTHORIZED', message: 'The metrics token is required.' } });
      }
      void options.metrics.metrics().then(
        (text) => response.writeHead(200, { 'content-type': options.metrics.contentType }).end(text),
        () => respond(500, { error: { code: 'INTERNAL', message: 'Something went wrong on our side.' } }),
      );
      return;
    }
    return respond(404, { error: { code: 'NOT_FOUND', message: 'Not found.' } });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve(server));
  });
}
