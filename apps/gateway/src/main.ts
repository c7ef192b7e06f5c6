import { randomBytes, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Topics } from '@chat/contracts';
import { busOptionsOf, EventBus } from '@chat/event-bus';
import { createLogger, createMetricsRegistry, handleShutdown, SettingsError } from '@chat/runtime';
import { chatModels } from '@chat/storage';
import mongoose from 'mongoose';
import { loadGatewayConfig } from './config.js';
import { createGateway } from './gateway.js';

async function main(): Promise<void> {
  const config = loadGatewayConfig(process.env, {
    gatewayId: `${hostname()}-${randomUUID().slice(0, 8)}`,
    cursorSecret: randomBytes(32).toString('base64url'),
  });
  const logger = createLogger({ name: 'gateway', level: config.logLevel }).child({
    gatewayId: config.gatewayId,
  });
  if (config.cursorSecret.source === 'random') {
    logger.warn(
      'CURSOR_SECRET is not set: inbox cursors are signed with a key of this process only, so a cursor from another gateway, or from before a restart, is refused; set CURSOR_SECRET (the same on every gateway)',
    );
  }
  const metrics = createMetricsRegistry('gateway');

  const connection = await mongoose
    .createConnection(config.mongodbUri, { serverSelectionTimeoutMS: 10_000 })
    .asPromise();
  const bus = new EventBus({
    ...busOptionsOf(config),
    clientId: `gateway-${config.gatewayId}`,
    logger,
    metrics,
  });
  await bus.start();
  // A send is acked only once a persister stored it: readiness follows whether persisters own the commands.
  const persisters = await bus.watchGroup(
    config.persisterGroup,
    [Topics.messageSent, Topics.conversationRead],
    config.persisterCheckIntervalMs,
  );

  const gateway = createGateway({
    config,
    logger,
    bus,
    models: chatModels(connection),
    metrics,
    persisters,
    checks: {
      kafka: () => bus.health(),
      mongodb: () => connection.readyState === 1 || 'not connected to MongoDB',
      persister: () => persisters.current().problem ?? true,
    },
  });
  handleShutdown(
    logger,
    [
      { name: 'sockets and http', run: () => gateway.stopAccepting() },
      { name: 'kafka', run: () => bus.stop() },
      { name: 'mongodb', run: () => connection.close() },
    ],
    config.shutdownTimeoutMs,
  );
  await gateway.start();
  const address = gateway.httpServer.address();
  logger.info({ port: typeof address === 'object' ? address?.port : config.port }, 'gateway ready');
}

main().catch((error: unknown) => {
  if (error instanceof SettingsError) console.error(error.message);
  else console.error('gateway failed to start:', error);
  process.exit(1);
});
