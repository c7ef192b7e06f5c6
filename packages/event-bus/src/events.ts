import { type EventsByTopic, type EventTopic, KafkaHeaders } from '@chat/contracts';
import type { IHeaders, KafkaMessage } from 'kafkajs';

export interface OutgoingEvent<T extends EventTopic> {
  key: string;
  value: EventsByTopic[T];
  headers?: Record<string, string>;
}

export interface IncomingEvent<T extends EventTopic> {
  key: string;
  value: EventsByTopic[T];
  headers: Record<string, string>;
  partition: number;
  offset: string;
  /** The record's timestamp, ms since the epoch: when its producer created it (the topics' CreateTime). */
  timestamp: number;
}

/**
 * Handles one batch of decoded events from one partition; it must be idempotent. Records that break the rules go
 * to `deadLetter`. Throwing fails the events: an error that says `retriable` (or that the bus's `isTransient`
 * recognises) has them tried again until they pass; any other has the bus find the record that fails by itself,
 * try it a few times and dead-letter it (see `handleSorting`).
 */
export type BatchHandler<T extends EventTopic> = (
  events: IncomingEvent<T>[],
  deadLetter: DeadLetter<T>,
) => Promise<void>;

export type BatchHandlers = { [T in EventTopic]?: BatchHandler<T> };

export type DeadLetter<T extends EventTopic> = (event: IncomingEvent<T>, reason: string) => Promise<void>;

export interface SubscribeOptions {
  groupId: string;
  /** Whether a group with no committed offset starts at the oldest record (true) or only sees new ones. */
  fromBeginning: boolean;
  /**
   * One handler per topic. All topics share one consumer, and its batches run one at a time, so handlers
   * never run concurrently with each other.
   */
  handlers: BatchHandlers;
  /**
   * How many partitions' batches may be in their handlers at once (default 1). Batches of one partition never
   * overlap; handlers that touch shared state must serialize themselves above 1.
   */
  concurrency?: number;
  /**
   * Whether the group's progress is stored in Kafka (default true). A reader that always starts from the
   * beginning or from the end (a gateway's private group) has no use for it, and each commit is a write.
   */
  commitOffsets?: boolean;
  /**
   * Called each time the consumer has (re)joined its group, before it consumes under the new assignment: its
   * partitions may have moved, so whatever it cached about the records of its old ones may be stale.
   */
  onGroupJoin?: () => void;
}

/** Headers for a fact answering `command`: its correlation id, echoed, so the waiting gateway finds its request. */
export function replyHeaders(command: { headers: Record<string, string> }): Record<string, string> {
  const correlationId = command.headers[KafkaHeaders.correlationId];
  return correlationId ? { [KafkaHeaders.correlationId]: correlationId } : {};
}

/** A decoded record as its handler sees it. */
export function incomingEvent<T extends EventTopic>(
  message: KafkaMessage,
  partition: number,
  value: EventsByTopic[T],
): IncomingEvent<T> {
  return {
    key: message.key?.toString() ?? '',
    value,
    headers: headersToStrings(message.headers),
    partition,
    offset: message.offset,
    timestamp: Number(message.timestamp),
  };
}

function headersToStrings(headers: IHeaders | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value !== undefined) result[name] = String(Array.isArray(value) ? value[0] : value);
  }
  return result;
}
