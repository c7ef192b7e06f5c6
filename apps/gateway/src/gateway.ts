import { createServer, type Server as HttpServer } from 'node:http';
import type { DeliveredReceiptDto, ReadReceiptDto } from '@chat/contracts';
import type { EventBus, GroupWatch } from '@chat/event-bus';
import type { Logger, ReadinessChecks } from '@chat/runtime';
import type { ChatModels } from '@chat/storage';
import type { Registry } from 'prom-client';
import { Server } from 'socket.io';
import type { GatewayConfig } from './config.js';
import { ConversationMembers } from './conversations/conversation-members.js';
import { AppError } from './errors.js';
import { createHttpApp } from './http/app.js';
import { CommandRequests } from './kafka/command-requests.js';
import { consumeFacts } from './kafka/facts.consumer.js';
import { gatewayMetrics } from './metrics.js';
import { PresenceService } from './presence/presence-service.js';
import { MarkerWrites } from './receipts/marker-writes.js';
import { authenticate } from './socket/authenticate.js';
import { guardEvents } from './socket/event-guard.js';
import { FloodGuard } from './socket/flood-guard.js';
import { createClientHandlers } from './socket/handlers.js';
import { RateLimiter } from './socket/rate-limiter.js';
import { type ChatServer, type ChatSocket, type ClientHandlers, listen } from './socket/server.js';
import { SessionExpiry } from './socket/session-expiry.js';
import { TypingService } from './typing/typing-service.js';

/** How often rate limiters forget the keys that have been quiet long enough to be full again. */
const LIMITER_SWEEP_MS = 10_000;

export interface GatewayDeps {
  config: GatewayConfig;
  logger: Logger;
  bus: EventBus;
  models: ChatModels;
  /** Served at /metrics; the bus records its own series in it too. */
  metrics: Registry;
  checks: ReadinessChecks;
  /** The persisters' consumer group, described every second. */
  persisters: Pick<GroupWatch, 'current' | 'fresh'>;
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
  const { config, logger, bus, models, persisters } = deps;
  const app = createHttpApp(deps);
  // A request must arrive whole (headers and body) within the timeout: a slow client cannot hold a connection
  // for Node's default 5 minutes. Connections are checked every second, so one is closed within timeout + 1 s.
  const httpServer = createServer(
    {
      requestTimeout: config.httpRequestTimeoutMs,
      headersTimeout: config.httpRequestTimeoutMs,
      connectionsCheckingInterval: 1000,
    },
    app,
  );
  const io: ChatServer = new Server(httpServer, {
    cors: { origin: config.corsOrigins, credentials: true },
    // Above the text limit but below this cap a send is answered VALIDATION_FAILED; above it the transport
    // closes the connection (WebSocket close code 1009) before anything is parsed.
    maxHttpBufferSize: config.socketMaxFrameBytes,
    pingInterval: config.socketPingIntervalMs,
    pingTimeout: config.socketPingTimeoutMs,
  });
  // With no persister in its group, nothing would store a command: fail at once, retriable, not after the timeout.
  // The cached view says so first (no cost while persisters run); a fresh description confirms it, so a persister
  // that joined within the last interval is not refused.
  const noPersister = async () => !persisters.current().alive && !(await persisters.fresh(100)).alive;
  /** Requests waiting for the fact that answers their command; each times out as a send does. */
  const requests = new CommandRequests({
    bus,
    gatewayId: config.gatewayId,
    timeoutMs: config.sendAckTimeoutMs,
    answererAbsent: noPersister,
  });
  // About 100 bytes plus the member ids per conversation.
  const members = new ConversationMembers(models, 10_000);
  const metrics = gatewayMetrics(deps.metrics, {
    connectedSockets: () => io.of('/').sockets.size,
    pendingRequests: () => requests.pendingByCommand(),
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
  const typing = new TypingService({ bus, io, members, routes: presence, gatewayId: config.gatewayId });

  // A user's allowances are split between the gateways they are connected to: together they give one.
  const perUser = { shareOf: (userId: string) => presence.shareOf(userId) };
  const userSendLimiter = new RateLimiter<string>(config.sendRatePerUser, config.sendBurstPerUser, perUser);
  const socketEventLimiter = new RateLimiter<ChatSocket>(config.socketEventRate, 2 * config.socketEventRate);
  const userMarkerLimiter = new RateLimiter<string>(
    config.markerRatePerUser,
    config.markerRatePerUser,
    perUser,
  );
  const readMarkers = new MarkerWrites<ReadReceiptDto>(userMarkerLimiter);
  const deliveredMarkers = new MarkerWrites<DeliveredReceiptDto>(userMarkerLimiter);
  const flood = new FloodGuard(config.socketRefusalLimit, config.floodCooldownMs, logger);
  const limiterSweep = setInterval(() => {
    userSendLimiter.sweep();
    socketEventLimiter.sweep();
    userMarkerLimiter.sweep();
    readMarkers.sweep();
    deliveredMarkers.sweep();
    flood.sweep();
  }, LIMITER_SWEEP_MS);
  limiterSweep.unref();
  const sessionExpiry = new SessionExpiry();

  const handlers: ClientHandlers = createClientHandlers({
    logger,
    metrics,
    models,
    members,
    requests,
    presence,
    typing,
    readMarkers,
    deliveredMarkers,
    maxPendingSends: config.maxPendingSendsPerSocket,
    userSendLimiter,
  });
  io.use(authenticate(config, logger, flood, presence));
  io.on('connection', (socket) => {
    socket.use(guardEvents(socket, socketEventLimiter, flood));
    listen(socket, handlers);
    sessionExpiry.track(socket);
  });

  return {
    httpServer,
    io,
    async start() {
      await presence.start();
      await consumeFacts({
        bus,
        io,
        members,
        requests,
        typing,
        gatewayId: config.gatewayId,
        groupId: `gateway-${config.gatewayId}`,
      });
      await new Promise<void>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(config.port, config.host, () => resolve());
      });
    },
    async stopAccepting() {
      clearInterval(limiterSweep);
      sessionExpiry.stop();
      const retry = new AppError('restarting');
      readMarkers.failAll(retry);
      deliveredMarkers.failAll(retry);
      requests.failAll(retry);
      typing.stop();
      await new Promise<void>((resolve) => {
        io.close(() => resolve());
      });
      await presence.stop();
    },
  };
}
