import { ApiDocPaths, asyncApiDocument, openApiDocument } from '@chat/contracts';
import { type Logger, metricsScrapeAllowed, type ReadinessChecks, readiness } from '@chat/runtime';
import type { ChatModels } from '@chat/storage';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { pinoHttp } from 'pino-http';
import type { Registry } from 'prom-client';
import type { GatewayConfig } from '../config.js';
import { AppError, statusOf, toErrorBody } from '../errors.js';
import { demoRoutes } from './demo.js';
import { chatRoutes } from './routes.js';

/** A declared body over the cap is refused before a byte of it is read. */
function refuseLargeBodies(maxBytes: number) {
  return (request: Request, response: Response, next: NextFunction) => {
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > maxBytes) {
      // The unread body is discarded by closing the connection after the answer.
      response.set('connection', 'close');
      return next(
        new AppError('PAYLOAD_TOO_LARGE', {
          details: [{ path: '(body)', message: `must be at most ${maxBytes} bytes` }],
        }),
      );
    }
    next();
  };
}

const expectsBody = (request: Request) =>
  request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0;

/**
 * Express's own errors as catalogued ones: a path parameter that is not valid percent-encoding (the router's
 * URIError) and body-parser's (too large, not JSON, bad charset).
 */
function fromExpress(error: unknown): unknown {
  if (error instanceof URIError) {
    return new AppError('pathNotDecodable', {
      details: [{ path: '(path)', message: 'malformed percent-encoding' }],
      cause: error,
    });
  }
  const type = (error as { type?: unknown } | null)?.type;
  if (typeof type !== 'string' || error instanceof AppError) return error;
  if (type === 'entity.too.large') {
    return new AppError('PAYLOAD_TOO_LARGE', { cause: error });
  }
  return new AppError(type === 'entity.parse.failed' ? 'bodyNotJson' : 'VALIDATION_FAILED', {
    details: [{ path: '(body)', message: type }],
    cause: error,
  });
}

export function createHttpApp(deps: {
  config: GatewayConfig;
  models: ChatModels;
  logger: Logger;
  metrics: Registry;
  checks: ReadinessChecks;
}): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');

  app.get('/healthz', (_request, response) => {
    response.json({ status: 'ok' });
  });
  app.get('/readyz', (_request, response) => {
    const report = readiness(deps.checks);
    response.status(report.ready ? 200 : 503).json(report);
  });
  app.get('/metrics', async (request, response) => {
    if (!metricsScrapeAllowed(request.headers.authorization, deps.config.metricsToken)) {
      response.status(401).json({ error: toErrorBody(new AppError('metricsTokenRequired')) });
      return;
    }
    response.type(deps.metrics.contentType).send(await deps.metrics.metrics());
  });

  const openApi = openApiDocument();
  const asyncApi = asyncApiDocument();
  app.get(ApiDocPaths.openApi, (_request, response) => {
    response.json(openApi);
  });
  app.get(ApiDocPaths.asyncApi, (_request, response) => {
    response.json(asyncApi);
  });

  app.use(
    pinoHttp({
      logger: deps.logger,
      // 5xx are ours and logged as errors; 4xx are the client's and only worth a lower level.
      customLogLevel: (_request, response, error) =>
        error || response.statusCode >= 500 ? 'error' : response.statusCode >= 400 ? 'info' : 'debug',
    }),
  );
  // No route reads a body today; one that comes is bounded and must be JSON, so a client learns at once. Only an
  // authenticated request's body is read (chatRoutes), and the time to send a request is bounded (gateway.ts).
  app.use(refuseLargeBodies(deps.config.httpMaxBodyBytes));
  app.use('/api/v1/chat', chatRoutes(deps));
  if (deps.config.demoPage) app.use(demoRoutes(deps.config));

  app.use((_request: Request, _response: Response, next: NextFunction) => {
    next(new AppError('noSuchRoute'));
  });
  // The one place HTTP errors become responses.
  app.use((thrown: unknown, request: Request, response: Response, _next: NextFunction) => {
    const error = fromExpress(thrown);
    const status = statusOf(error);
    if (status >= 500) request.log?.error({ err: error }, 'request failed');
    // Answered before its body arrived (refused unauthenticated, say): close rather than wait for the rest.
    if (expectsBody(request) && !request.complete) response.set('connection', 'close');
    response.status(status).json({ error: toErrorBody(error) });
  });
  return app;
}
