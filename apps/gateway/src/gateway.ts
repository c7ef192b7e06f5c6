import { createServer, type Server as HttpServer } from 'node:http';
import type { EventBus } from '@chat/event-bus';
import type { Logger, ReadinessChecks } from '@chat/runtime';
import type { ChatModels } from '@chat/storage';
import { Server } from 'socket.io';
import type { GatewayConfig } from './config.js';
import { messagePersistedConsumer } from './consumers/message-persisted.consumer.js';
import { AppError } from './errors.js';
import { createHttpApp } from './http/app.js';
import { PendingSends } from './messaging/pending-sends.js';
import { authenticate } from './socket/authenticate.js';
import { registerMessageHandlers } from './socket/message.handlers.js';
import type { ChatServer } from './socket/server.js';

export interface GatewayDeps {
  config: GatewayConfig;
  logger: Logger;
  bus: EventBus;
  models: ChatModels;
  checks: ReadinessChecks;
}

export interface Gateway {
  httpServer: HttpServer;
  io: ChatServer;
  /** Starts consuming message.persisted, then listens. */
  start(): Promise<void>;
  /** Stops accepting sockets and requests, tells waiting senders to retry, closes connections. */
  stopAccepting(): Promise<void>;
}

/** Wires HTTP, Socket.IO and the persisted-event consumer around clients the caller created. */
export function createGateway(deps: GatewayDeps): Gateway {
  const { config, logger, bus } = deps;
  const app = createHttpApp(deps);
  const httpServer = createServer(app);
  const io: ChatServer = new Server(httpServer, {
    cors: { origin: config.corsOrigins, credentials: true },
    // Messages are text up to a few KB: a small cap stops a client from making us buffer megabytes.
    maxHttpBufferSize: 64 * 1024,
  });
  const pending = new PendingSends(config.sendAckTimeoutMs);

  io.use(authenticate(config, logger));
  io.on('connection', (socket) => {
    registerMessageHandlers(socket, {
      bus,
      pending,
      logger,
      maxPendingSends: config.maxPendingSendsPerSocket,
    });
  });

  return {
    httpServer,
    io,
    async start() {
      await messagePersistedConsumer({ bus, io, pending, logger, groupId: `gateway-${config.gatewayId}` });
      await new Promise<void>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(config.port, config.host, () => resolve());
      });
    },
    async stopAccepting() {
      pending.failAll(
        new AppError('UNAVAILABLE', 'The server is restarting; resend with the same clientMessageId.'),
      );
      await new Promise<void>((resolve) => {
        io.close(() => resolve());
      });
    },
  };
}
