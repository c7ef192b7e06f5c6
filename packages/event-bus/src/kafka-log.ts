import { type LogEntry, logLevel } from 'kafkajs';
import type { Logger } from 'pino';

/**
 * Broker answers KafkaJS expects and handles by itself (it retries, or rejoins the group), by message (their protocol error type beside): a
 * coordinator still loading its state (every start against a fresh broker, on InitProducerId), not available
 * yet or moved, a group rebalancing, a partition between leaders. KafkaJS logs every error answer at error
 * level; these are part of normal operation, so they go to info. If the retries run out, the operation fails and
 * its caller logs that.
 */
export const EXPECTED_BROKER_ANSWERS: ReadonlyMap<string, string> = new Map([
  ["The coordinator is loading and hence can't process requests for this group", 'GROUP_LOAD_IN_PROGRESS'],
  ['The group coordinator is not available', 'GROUP_COORDINATOR_NOT_AVAILABLE'],
  ['This is not the correct coordinator for this group', 'NOT_COORDINATOR_FOR_GROUP'],
  ['The group is rebalancing, so a rejoin is needed', 'REBALANCE_IN_PROGRESS'],
  [
    'There is no leader for this topic-partition as we are in the middle of a leadership election',
    'LEADER_NOT_AVAILABLE',
  ],
  ['This server is not the leader for that topic-partition', 'NOT_LEADER_FOR_PARTITION'],
]);

/** The level a KafkaJS log entry is written at: KafkaJS's own, but info for an expected broker answer. */
export function kafkaLogLevel({
  level,
  log,
}: Pick<LogEntry, 'level' | 'log'>): 'error' | 'warn' | 'info' | 'debug' {
  const expected = typeof log.error === 'string' && EXPECTED_BROKER_ANSWERS.has(log.error);
  if (level === logLevel.ERROR) return expected ? 'info' : 'error';
  if (level === logLevel.WARN) return expected ? 'info' : 'warn';
  return 'debug';
}

/** Bridges KafkaJS's logger to pino, so broker trouble shows up in the same structured log. */
export function kafkaLogCreator(logger: Logger) {
  return () => (entry: LogEntry) => {
    const { message, ...extra } = entry.log;
    logger[kafkaLogLevel(entry)](extra, message);
  };
}
