import type { CodedError } from '@chat/runtime';

/**
 * Why a record could not be decoded. `REGISTRY_UNAVAILABLE` may pass on a later attempt (its schema could not be
 * fetched just now); every other code is about the bytes themselves, which will never decode.
 */
export type DecodeErrorCode =
  /** The record has no value (a tombstone): nothing to decode. */
  | 'NO_VALUE'
  /** Not the schema registry's wire format (magic byte 0, 4-byte schema id). */
  | 'NOT_WIRE_FORMAT'
  /** The registry has no schema with the record's id. */
  | 'UNKNOWN_SCHEMA'
  /** The record's schema is another record's (written to the wrong topic). */
  | 'WRONG_SCHEMA'
  /** The body does not decode with the record's schema. */
  | 'INVALID_BODY'
  /** The registry could not be asked for the record's schema (unreachable, or it answered with an error). */
  | 'REGISTRY_UNAVAILABLE';

export class DecodeError extends Error implements CodedError {
  override readonly name = 'DecodeError';
  readonly retriable: boolean;

  constructor(
    readonly code: DecodeErrorCode,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
    this.retriable = code === 'REGISTRY_UNAVAILABLE';
  }
}

/**
 * A topic handler's failure on some records. Retriable when it says a dependency is down or busy (the database,
 * Kafka, a write conflict): the same records are tried again until they pass. Otherwise the records are at fault.
 */
export class HandlerError extends Error implements CodedError {
  override readonly name = 'HandlerError';
  readonly code = 'HANDLER_FAILED';

  constructor(
    readonly retriable: boolean,
    cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

export interface RetryPolicy {
  /** Attempts at one record alone that fail with an error that is not retriable, before it is dead-lettered. */
  attempts: number;
  /** Pause after the first failed attempt, doubled after each further one up to `maxDelayMs`. */
  firstDelayMs: number;
  maxDelayMs: number;
}

export const RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  attempts: 3,
  firstDelayMs: 100,
  maxDelayMs: 2000,
});

/** The pause after the `failures`-th failed attempt in a row. */
export function retryDelay(policy: RetryPolicy, failures: number): number {
  return Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** Math.max(0, failures - 1));
}

/** What the retry loops need from the consumer they run in. */
export interface RetryContext<E extends Error> {
  policy: RetryPolicy;
  /** Told of every failed attempt, for metrics and logs. */
  failed(error: E): void;
  /**
   * Waits `ms` before the next attempt. False when the consumer must let go instead (it is stopping, or the
   * partition moved): what is left of the batch is then redelivered, to this consumer or another.
   */
  wait(ms: number): Promise<boolean>;
}

/**
 * Decodes one record, retrying for as long as the failure is retriable (the registry is unreachable). Resolves
 * with the value, with the DecodeError when the bytes can never decode, or with undefined when `wait` said stop.
 */
export async function decodeRetrying<T>(
  decode: () => Promise<T>,
  context: RetryContext<DecodeError>,
): Promise<{ value: T } | { error: DecodeError } | undefined> {
  for (let failures = 1; ; failures++) {
    try {
      return { value: await decode() };
    } catch (cause) {
      const error =
        cause instanceof DecodeError
          ? cause
          : new DecodeError('INVALID_BODY', (cause as Error)?.message ?? String(cause), { cause });
      context.failed(error);
      if (!error.retriable) return { error };
    }
    if (!(await context.wait(retryDelay(context.policy, failures)))) return undefined;
  }
}

export interface HandlerContext<E> extends RetryContext<HandlerError> {
  /** The topic's handler, on some of the batch's events, in their order. */
  handle(events: E[]): Promise<void>;
  /** Whether a failure of the handler may pass on a later attempt. */
  isRetriable(error: unknown): boolean;
  /** Sets a record aside for good, with the error it failed with. */
  deadLetter(event: E, error: HandlerError): Promise<void>;
}

/**
 * Handles a batch and sorts its failures, so that no record can hold up its partition for ever:
 * - a retriable failure is retried, after growing pauses, until it passes: nothing is set aside because a
 *   dependency is down;
 * - any other failure splits the records in two halves, handled in order, down to the record that fails by
 *   itself; that one is tried `policy.attempts` times and then dead-lettered, and the partition moves on.
 * The handler must be idempotent: records before the failing one may be handled again. Resolves true when every
 * record was handled or set aside, false when `wait` said stop.
 */
export async function handleSorting<E>(events: E[], context: HandlerContext<E>): Promise<boolean> {
  let alone = 0;
  for (let failures = 1; ; failures++) {
    let error: HandlerError;
    try {
      await context.handle(events);
      return true;
    } catch (cause) {
      error = new HandlerError(context.isRetriable(cause), cause);
    }
    context.failed(error);
    if (!error.retriable) {
      if (events.length > 1) {
        const half = Math.ceil(events.length / 2);
        return (
          (await handleSorting(events.slice(0, half), context)) &&
          (await handleSorting(events.slice(half), context))
        );
      }
      alone += 1;
      if (alone >= context.policy.attempts) {
        await context.deadLetter(events[0] as E, error);
        return true;
      }
    }
    if (!(await context.wait(retryDelay(context.policy, failures)))) return false;
  }
}
