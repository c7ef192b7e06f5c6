import type { Logger } from 'pino';

export interface ShutdownStep {
  name: string;
  run: () => Promise<void>;
}

/**
 * Runs `steps` in order on SIGTERM/SIGINT (stop accepting, drain, close clients), then exits 0;
 * exits 1 if they fail or take longer than `timeoutMs`. A crash exits 1, never 0.
 */
export function handleShutdown(
  logger: Logger,
  steps: ShutdownStep[],
  timeoutMs: number,
): () => Promise<void> {
  let shuttingDown: Promise<void> | undefined;
  const shutdown = (reason: string): Promise<void> => {
    if (shuttingDown) return shuttingDown;
    logger.info({ reason }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error({ timeoutMs }, 'shutdown took too long; exiting');
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    shuttingDown = (async () => {
      let failed = false;
      for (const step of steps) {
        try {
          await step.run();
          logger.debug({ step: step.name }, 'shutdown step done');
        } catch (error) {
          failed = true;
          logger.error({ err: error, step: step.name }, 'shutdown step failed');
        }
      }
      clearTimeout(timer);
      logger.info('stopped');
      process.exitCode = failed ? 1 : 0;
    })();
    return shuttingDown;
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM').then(() => process.exit()));
  process.once('SIGINT', () => void shutdown('SIGINT').then(() => process.exit()));
  process.on('uncaughtException', (error) => {
    logger.fatal({ err: error }, 'uncaught exception');
    process.exit(1);
  });
  process.on('unhandledRejection', (error) => {
    logger.fatal({ err: error }, 'unhandled promise rejection');
    process.exit(1);
  });
  return () => shutdown('requested');
}
