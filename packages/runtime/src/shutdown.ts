import type { Logger } from 'pino';

export interface ShutdownStep {
  name: string;
  run: () => Promise<void>;
}

/**
 * Runs `steps` in order on SIGTERM/SIGINT (stop accepting, drain, close clients), then exits 0;
 * exits 1 if they fail or take longer than `timeoutMs`. A crash exits 1, never 0. Signals that come while it
 * shuts down change nothing: Ctrl-C reaches every process of the terminal's group, and a supervisor (`npm
 * start`, a container runtime) may send SIGTERM on top; with no listener left, the second signal would kill the
 * process half-way through its shutdown.
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
  process.on('SIGTERM', () => void shutdown('SIGTERM').then(() => process.exit()));
  process.on('SIGINT', () => void shutdown('SIGINT').then(() => process.exit()));
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
