import type { CodedError } from '@chat/runtime';
import type { Logger } from 'pino';
import type { BusMetrics, ConsumerPlace } from './metrics.js';

/** Where a consumer's attempt failed: decoding a record, or handling records. */
export type Stage = 'decode' | 'handle';

export interface FailureLog {
  failed: (error: CodedError) => void;
  settled: () => void;
}

/**
 * Counts the failed attempts of one stage of one partition, and logs them without flooding: a retriable failure
 * at warn level when it starts (then at debug) and at info once it went through, so a dependency that is down
 * for minutes costs two lines; the first failure that sends the handler looking for a record at fault at warn
 * level. A record set aside is logged where it is set aside.
 */
function failureLog(
  logger: Logger,
  failures: BusMetrics['consumerFailures'],
  where: ConsumerPlace,
  stage: Stage,
): FailureLog {
  let retried = 0;
  let since = 0;
  let searching = false;
  return {
    failed: (error) => {
      const { group, topic } = where;
      failures.inc({ group, topic, stage, retriable: String(error.retriable) });
      const details = { ...where, stage, code: error.code, err: error };
      if (!error.retriable) {
        if (stage === 'handle' && !searching)
          logger.warn(details, 'handler failed; finding the record at fault');
        searching = true;
        return;
      }
      retried += 1;
      if (retried > 1) return logger.debug({ ...details, failures: retried }, `${stage} failed again`);
      since = Date.now();
      logger.warn(details, `${stage} failed; retrying until it passes`);
    },
    settled: () => {
      if (retried > 0) {
        logger.info(
          { ...where, stage, failures: retried, ms: Date.now() - since },
          `${stage} passed after failing`,
        );
      }
      retried = 0;
      searching = false;
    },
  };
}

/** One consumer's failure logs, one per partition and stage, kept across redeliveries of the same records. */
export class FailureLogs {
  private readonly logs = new Map<string, FailureLog>();

  constructor(
    private readonly logger: Logger,
    private readonly failures: BusMetrics['consumerFailures'],
  ) {}

  of(where: ConsumerPlace, stage: Stage): FailureLog {
    const key = `${where.topic}/${where.partition}/${stage}`;
    let log = this.logs.get(key);
    if (log === undefined) {
      log = failureLog(this.logger, this.failures, where, stage);
      this.logs.set(key, log);
    }
    return log;
  }
}
