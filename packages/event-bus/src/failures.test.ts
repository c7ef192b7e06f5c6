import { describe, expect, it } from 'vitest';
import {
  DecodeError,
  decodeRetrying,
  type HandlerContext,
  type HandlerError,
  handleSorting,
  RETRY_POLICY,
  retryDelay,
} from './failures.js';

/** Shaped like a driver's or KafkaJS's error for a dependency that is down. */
const unavailable = () => Object.assign(new Error('connection refused'), { retriable: true });

/**
 * A handler context that records what happened. `fails(events)` decides each attempt: an error to throw, or
 * undefined to let it pass. `wait` never sleeps; it records the pause it was asked for.
 */
function recorder(fails: (events: number[]) => Error | undefined, options: { stopAfterWaits?: number } = {}) {
  const log = {
    attempts: [] as number[][],
    handled: [] as number[],
    failures: [] as HandlerError[],
    deadLetters: [] as Array<{ event: number; code: string; message: string }>,
    waits: [] as number[],
  };
  const context: HandlerContext<number> = {
    policy: RETRY_POLICY,
    handle: async (events) => {
      log.attempts.push(events);
      const error = fails(events);
      if (error) throw error;
      log.handled.push(...events);
    },
    isRetriable: (error) => (error as { retriable?: boolean }).retriable === true,
    failed: (error) => log.failures.push(error),
    deadLetter: async (event, error) => {
      log.deadLetters.push({ event, code: error.code, message: error.message });
    },
    wait: async (ms) => {
      log.waits.push(ms);
      return options.stopAfterWaits === undefined || log.waits.length < options.stopAfterWaits;
    },
  };
  return { log, context };
}

describe('handleSorting', () => {
  it('hands the whole batch to the handler once when it passes', async () => {
    const { log, context } = recorder(() => undefined);
    expect(await handleSorting([1, 2, 3], context)).toBe(true);
    expect(log.attempts).toEqual([[1, 2, 3]]);
    expect(log.failures).toEqual([]);
  });

  it('finds the record that fails by itself, tries it alone a bounded number of times, dead-letters it and handles the rest in order', async () => {
    const { log, context } = recorder((events) => (events.includes(5) ? new Error('bad record') : undefined));
    expect(await handleSorting([1, 2, 3, 4, 5, 6, 7, 8], context)).toBe(true);

    expect(log.handled).toEqual([1, 2, 3, 4, 6, 7, 8]);
    expect(log.deadLetters).toEqual([{ event: 5, code: 'HANDLER_FAILED', message: 'bad record' }]);
    const alone = log.attempts.filter((events) => events.length === 1 && events[0] === 5);
    expect(alone).toHaveLength(RETRY_POLICY.attempts);
    // Halving: [1..8] → [5..8] → [5,6] → [5] alone; the bound holds however large the batch.
    expect(log.attempts.filter((events) => events.includes(5))).toHaveLength(3 + RETRY_POLICY.attempts);
    expect(log.failures.every((failure) => !failure.retriable)).toBe(true);
    expect(log.waits).toEqual([retryDelay(RETRY_POLICY, 1), retryDelay(RETRY_POLICY, 2)]);
  });

  it('sets aside every failing record of a batch, each once', async () => {
    const { log, context } = recorder((events) =>
      events.some((event) => event % 3 === 0) ? new Error('bad') : undefined,
    );
    expect(await handleSorting([1, 2, 3, 4, 5, 6, 7], context)).toBe(true);
    expect(log.handled).toEqual([1, 2, 4, 5, 7]);
    expect(log.deadLetters.map((letter) => letter.event)).toEqual([3, 6]);
  });

  it('retries a retriable failure until it passes, and never dead-letters for it', async () => {
    let down = 25;
    const { log, context } = recorder(() => (down-- > 0 ? unavailable() : undefined));
    expect(await handleSorting([1, 2, 3], context)).toBe(true);

    expect(log.deadLetters).toEqual([]);
    expect(log.attempts).toHaveLength(26);
    expect(log.attempts.every((events) => events.length === 3)).toBe(true);
    expect(log.handled).toEqual([1, 2, 3]);
    expect(log.failures.every((failure) => failure.retriable && failure.code === 'HANDLER_FAILED')).toBe(
      true,
    );
    // Growing pauses, capped.
    expect(log.waits.slice(0, 3)).toEqual([100, 200, 400]);
    expect(Math.max(...log.waits)).toBe(RETRY_POLICY.maxDelayMs);
  });

  it('does not count retriable failures of a record towards its dead-letter bound', async () => {
    // Record 2 fails for good, but the database is down for its first 10 attempts alone.
    let down = 10;
    const { log, context } = recorder((events) => {
      if (!events.includes(2)) return undefined;
      if (events.length === 1 && down-- > 0) return unavailable();
      return new Error('bad record');
    });
    expect(await handleSorting([1, 2, 3], context)).toBe(true);
    expect(log.attempts.filter((events) => events.length === 1 && events[0] === 2)).toHaveLength(
      10 + RETRY_POLICY.attempts,
    );
    expect(log.deadLetters.map((letter) => letter.event)).toEqual([2]);
    expect(log.handled).toEqual([1, 3]);
  });

  it('lets go when told to stop between attempts, leaving the rest for redelivery', async () => {
    const { log, context } = recorder(() => unavailable(), { stopAfterWaits: 3 });
    expect(await handleSorting([1, 2], context)).toBe(false);
    expect(log.attempts).toHaveLength(3);
    expect(log.handled).toEqual([]);
    expect(log.deadLetters).toEqual([]);
  });
});

describe('decodeRetrying', () => {
  const context = (waits: number[], stopAfter = Number.POSITIVE_INFINITY) => ({
    policy: RETRY_POLICY,
    failed: () => {},
    wait: async (ms: number) => {
      waits.push(ms);
      return waits.length < stopAfter;
    },
  });

  it('retries while the registry is unavailable, then returns the value', async () => {
    let down = 4;
    const waits: number[] = [];
    const result = await decodeRetrying(async () => {
      if (down-- > 0) throw new DecodeError('REGISTRY_UNAVAILABLE', 'connect ECONNREFUSED');
      return 'event';
    }, context(waits));
    expect(result).toEqual({ value: 'event' });
    expect(waits).toEqual([100, 200, 400, 800]);
  });

  it.each(['NO_VALUE', 'NOT_WIRE_FORMAT', 'UNKNOWN_SCHEMA', 'WRONG_SCHEMA', 'INVALID_BODY'] as const)(
    'gives up at once on %s: those bytes never decode',
    async (code) => {
      const waits: number[] = [];
      const error = new DecodeError(code, 'bad bytes');
      expect(error.retriable).toBe(false);
      expect(
        await decodeRetrying(async () => {
          throw error;
        }, context(waits)),
      ).toEqual({ error });
      expect(waits).toEqual([]);
    },
  );

  it('treats an unexpected failure as bytes that do not decode', async () => {
    const result = await decodeRetrying(async () => {
      throw new RangeError('index out of range');
    }, context([]));
    expect(result).toMatchObject({ error: { code: 'INVALID_BODY', retriable: false } });
  });

  it('lets go when told to stop', async () => {
    const result = await decodeRetrying(
      async () => {
        throw new DecodeError('REGISTRY_UNAVAILABLE', 'down');
      },
      context([], 2),
    );
    expect(result).toBeUndefined();
  });
});
