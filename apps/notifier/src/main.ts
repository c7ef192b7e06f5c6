import { hostname } from 'node:os';
import { Topics } from '@chat/contracts';
import { busOptionsOf, EventBus, followPresence } from '@chat/event-bus';
import {
  createLogger,
  createMetricsRegistry,
  handleShutdown,
  type Logger,
  pollUntil,
  SettingsError,
  startHealthServer,
} from '@chat/runtime';
import { chatModels, findNotificationContext, isTransientDatabaseError } from '@chat/storage';
import mongoose from 'mongoose';
import { loadNotifierConfig } from './config.js';
import { notifierMetrics } from './metrics.js';
import { Notifier } from './notifications/notifier.js';
import { WebhookSender } from './webhook/webhook-sender.js';

async function main(): Promise<void> {
  const config = loadNotifierConfig(process.env);
  const logger = createLogger({ name: 'notifier', level: config.logLevel });
  const registry = createMetricsRegistry('notifier');
  // Read at each scrape, once the notifier and its sender exist.
  const metrics = notifierMetrics(registry, {
    openWindows: () => notifier.openWindows,
    inFlight: () => sender.inFlightCount,
  });
  const instanceId = `notifier-${hostname()}-${process.pid}`;

  // Reads only: the conversation's mute and unread count when a notification goes out.
  const connection = await mongoose
    .createConnection(config.mongodbUri, { serverSelectionTimeoutMS: 10_000, bufferCommands: false })
    .asPromise();
  const models = chatModels(connection);

  const bus = new EventBus({
    ...busOptionsOf(config),
    clientId: instanceId,
    logger,
    metrics: registry,
    isTransient: isTransientDatabaseError,
  });
  await bus.start();

  const sender = new WebhookSender({
    url: config.webhookUrl,
    secret: config.webhookSecret,
    retryBaseMs: config.retryBaseMs,
    logger,
    metrics,
    giveUp: (failed) => bus.publish(Topics.notificationFailed, [{ key: failed.recipientId, value: failed }]),
  });
  const notifier = new Notifier(
    {
      context: (conversationId, userId) => findNotificationContext(models, conversationId, userId),
      send: (notification) => sender.send(notification),
      logger,
      metrics,
    },
    { coalesceMs: config.coalesceMs, preview: config.preview === 'on', retryBaseMs: config.retryBaseMs },
  );

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
      // Open windows go out now and waiting retries make their last attempt; the consumers keep their
      // assignment meanwhile, so a fact that arrives now is still notified.
      { name: 'notifications', run: () => notifier.flush().then(() => sender.drain()) },
      { name: 'kafka', run: () => bus.stop() },
      { name: 'mongodb', run: () => connection.close() },
      { name: 'health', run: () => new Promise((resolve) => health.close(() => resolve())) },
    ],
    config.shutdownTimeoutMs,
  );

  // Who is connected first (every presence record, in a private group), or everyone would look offline.
  // Every notifier reads them all: presence is keyed by user, conversations are not, so a notifier's share of
  // the conversations may concern anyone.
  await followPresence(bus, {
    groupId: `${instanceId}-presence`,
    logger,
    onConnection: (record) => notifier.onConnection(record),
    // Connected means a gateway's latest record says so; a dead gateway's users are recorded offline for it.
    onGateway: () => {},
  });
  await bus.subscribe({
    groupId: config.notifierGroup,
    // A notification is about now: a new group starts at the end, never at last year's messages.
    fromBeginning: false,
    handlers: {
      [Topics.messagePersisted]: async (events) => {
        for (const { value } of events) notifier.onMessage(value);
      },
      [Topics.conversationReadPersisted]: async (events) => {
        for (const { value } of events) notifier.onRead(value);
      },
    },
  });
  await consuming(bus, logger);
  const address = health.address();
  logger.info({ port: typeof address === 'object' ? address?.port : config.port }, 'notifier ready');
}

/**
 * Until the consumers have joined their groups: a new group starts at the end of the topics when it joins, so a
 * message stored before that would never be notified. Bounded, so a slow join does not hold start-up forever.
 */
async function consuming(bus: EventBus, logger: Logger): Promise<void> {
  const assigned = await pollUntil(() => bus.health() === true, { timeoutMs: 30_000, intervalMs: 100 });
  if (!assigned) logger.warn({ kafka: bus.health() }, 'consumers not assigned yet; going on');
}

main().catch((error: unknown) => {
  if (error instanceof SettingsError) console.error(error.message);
  else console.error('notifier failed to start:', error);
  process.exit(1);
});
