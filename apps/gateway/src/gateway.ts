import { createServer, type Server as HttpServer } from 'node:http';
import type { MessageDto, ReadReceiptDto } from '@chat/contracts';
import type { EventBus } from '@chat/event-bus';
import type { Logger, ReadinessChecks } from '@chat/runtime';
import type { ChatModels } from '@chat/storage';
import type { Registry } from 'prom-client';
import { Server } from 'socket.io';
import type { GatewayConfig } from './config.js';
import { consumeFacts } from './consumers/facts.consumer.js';
import { AppError } from './errors.js';
import { createHttpApp } from './http/app.js';
import { PendingReplies } from './messaging/pending-replies.js';
import { gatewayMetrics } from './metrics.js';
import { PresenceService } from './presence/presence-service.js';
import { authenticate } from './socket/authenticate.js';
import { createConversationHandlers } from './socket/conversation.handlers.js';
import { createMessageHandlers } from './socket/message.handlers.js';
import { createPresenceHandlers } from './socket/presence.handlers.js';
import { type ChatServer, type ClientHandlers, listen } from './socket/server.js';

export interface GatewayDeps {
  config: GatewayConfig;
  logger: Logger;
  bus: EventBus;
  models: ChatModels;
  /** Served at /metrics; the bus records its own series in it too. */
  metrics: Registry;
  checks: ReadinessChecks;
}

export interface Gateway {
  httpServer: HttpServer;
  io: ChatServer;
  /** Reads presence history, starts consuming facts, then listens. */
  start(): Promise<void>;
  /** Stops accepting, tells waiting requests to retry, closes sockets, marks this gateway's users offline. */
  stopAccepting(): Promise<void>;
}

/** Wires HTTP, Socket.IO, presence and the fact consumer around clients the caller created. */
export function createGateway(deps: GatewayDeps): Gateway {
  const { config, logger, bus, models } = deps;
  const app = createHttpApp(deps);
  const httpServer = createServer(app);
  const io: ChatServer = new Server(httpServer, {
    cors: { origin: config.corsOrigins, credentials: true },
    // Messages are text up to a few KB: a small cap stops a client from making us buffer megabytes.
    maxHttpBufferSize: 64 * 1024,
    pingInterval: config.socketPingIntervalMs,
    pingTimeout: config.socketPingTimeoutMs,
  });
  const pendingSends = new PendingReplies<MessageDto>(config.sendAckTimeoutMs, 'sendNotConfirmed');
  const pendingReads = new PendingReplies<ReadReceiptDto>(config.sendAckTimeoutMs, 'readNotConfirmed');
  const metrics = gatewayMetrics(deps.metrics, {
    connectedSockets: () => io.of('/').sockets.size,
    pendingAcks: () => ({ send: pendingSends.size, read: pendingReads.size }),
  });
  const presence = new PresenceService(
    { bus, io, models, logger, metrics },
    {
      gatewayId: config.gatewayId,
      heartbeatMs: config.presenceHeartbeatMs,
      ttlMs: config.presenceTtlMs,
      offlineDebounceMs: config.presenceOfflineDebounceMs,
    },
  );

  // Listeners are built once and shared by every socket: an idle connection holds only its listener entries.
  const handlers: ClientHandlers = {
    ...createPresenceHandlers({ presence, logger }),
    ...createMessageHandlers({
      bus,
      pendingSends,
      logger,
      metrics,
      maxPendingSends: config.maxPendingSendsPerSocket,
    }),
    ...createConversationHandlers({ bus, models, pendingReads, logger }),
  };
  io.use(authenticate(config, logger));
  io.on('connection', (socket) => listen(socket, handlers));

  return {
    httpServer,
    io,
    async start() {
      await presence.start();
      await consumeFacts({ bus, io, pendingSends, pendingReads, groupId: `gateway-${config.gatewayId}` });
      await new Promise<void>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(config.port, config.host, () => resolve());
      });
    },
    async stopAccepting() {
      const retry = new AppError('restarting');
      pendingSends.failAll(retry);
      pendingReads.failAll(retry);
      await new Promise<void>((resolve) => {
        io.close(() => resolve());
      });
      await presence.stop();
    },
  };
}
