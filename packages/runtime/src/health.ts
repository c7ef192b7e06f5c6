import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

/** Named dependency checks; each answers "is this dependency usable right now". */
export type ReadinessChecks = Record<string, () => boolean>;

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, 'up' | 'down'>;
}

export function readiness(checks: ReadinessChecks): ReadinessReport {
  const results = Object.fromEntries(
    Object.entries(checks).map(([name, check]) => [name, check() ? 'up' : 'down'] as const),
  );
  return { ready: Object.values(results).every((state) => state === 'up'), checks: results };
}

/**
 * `/healthz` (the process is alive), `/readyz` (its dependencies are connected) and `/metrics` (Prometheus text
 * format), for processes without HTTP of their own.
 */
export function startHealthServer(options: {
  host: string;
  port: number;
  checks: ReadinessChecks;
  metrics: Registry;
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
