import { hostname } from 'node:os';
import { busOptionsOf, EventBus, followPresence, PresenceView } from '@chat/event-bus';
import {
  createLogger,
  createMetricsRegistry,
  handleShutdown,
  SettingsError,
  startHealthServer,
} from '@chat/runtime';
import { ConversationHeads, chatModels, ensureIndexes, isTransientDatabaseError } from '@chat/storage';
import mongoose from 'mongoose';
import { Answers } from './answers.js';
import { loadPersisterConfig } from './config.js';
import { persisterHandlers } from './handlers.js';
import { persisterMetrics } from './metrics.js';
import { SerialWriter } from './serial-writer.js';

async function main(): Promise<void> {
  const config = loadPersisterConfig(process.env);
  const logger = createLogger({ name: 'persister', level: config.logLevel });
  const registry = createMetricsRegistry('persister');
  const metrics = persisterMetrics(registry);

  const connection = await mongoose
    .createConnection(config.mongodbUri, {
      serverSelectionTimeoutMS: 10_000,
      // An ack means "durably stored": a write counts once a majority has it in its journal, so neither a
      // mongod crash nor a failover can take back a message the sender was told is stored.
      writeConcern: { w: 'majority', journal: true },
      // No buffering while disconnected: a write fails with the driver's own typed error (server selection,
      // network), which the bus recognises as transient and retries, rather than with a plain buffering timeout.
      bufferCommands: false,
    })
    .asPromise();
  const models = chatModels(connection);
  await ensureIndexes(models);

  const bus = new EventBus({
    ...busOptionsOf(config),
    clientId: `persister-${hostname()}-${process.pid}`,
    logger,
    metrics: registry,
    // The database being down fails batches that must wait for it, never records to set aside.
    isTransient: isTransientDatabaseError,
  });
  await bus.start();

  // Where each fact is delivered: the gateways holding its users' sockets, from the presence records, which
  // every persister reads whole. Read up to now before any command, so the first answers are routed.
  const routes = new PresenceView({ ttlMs: config.presenceTtlMs });
  await followPresence(bus, {
    groupId: `persister-${hostname()}-${process.pid}-routes`,
    logger,
    onConnection: (record) => routes.applyConnection(record),
    onGateway: (record) => routes.applyGateway(record),
  });
  const expireRoutes = setInterval(() => routes.expire(), 1000);
  const answers = new Answers(bus, routes);

  const health = await startHealthServer({
    host: config.host,
    port: config.port,
    checks: {
      kafka: () => bus.health(),
      mongodb: () => connection.readyState === 1 || 'not connected to MongoDB',
    },
    metrics: registry,
    metricsToken: config.metricsToken,
  });

  handleShutdown(
    logger,
    [
      // Stopping the bus lets the batch in hand finish and commit before the consumer leaves its group.
      {
        name: 'kafka',
        run: () => {
          clearInterval(expireRoutes);
          return bus.stop();
        },
      },
      { name: 'mongodb', run: () => connection.close() },
      { name: 'health', run: () => new Promise((resolve) => health.close(() => resolve())) },
    ],
    config.shutdownTimeoutMs,
  );

  // Partitions are consumed concurrently; message writes go through one SerialWriter, which merges the batches
  // that queue behind a write into one.
  const writer = new SerialWriter();
  const heads = new ConversationHeads(config.conversationCacheSize);
  await bus.subscribe({
    groupId: config.persisterGroup,
    fromBeginning: true,
    concurrency: config.kafkaPartitions,
    // Behind the write in hand, so that write's heads are forgotten too.
    onGroupJoin: () => void writer.exclusive(async () => heads.forgetAll()),
    handlers: persisterHandlers({
      bus,
      answers,
      models,
      logger,
      writer,
      heads,
      metrics,
      maxGroupMembers: config.maxGroupMembers,
      editWindowMs: config.editWindowSeconds * 1000,
    }),
  });
  const address = health.address();
  logger.info({ port: typeof address === 'object' ? address?.port : config.port }, 'persister ready');
}

main().catch((error: unknown) => {
  if (error instanceof SettingsError) console.error(error.message);
  else console.error('persister failed to start:', error);
  process.exit(1);
});
