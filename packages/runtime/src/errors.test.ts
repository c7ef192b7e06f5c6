import { describe, expect, it } from 'vitest';
import { isRetriable } from './errors.js';

/** Shaped like KafkaJS's errors: a message, `retriable` and an optional `cause`. */
function kafkaError(retriable: boolean, cause?: Error): Error {
  return Object.assign(new Error('kafka', cause ? { cause } : {}), { retriable });
}

describe('isRetriable', () => {
  it('believes an error that says whether it is retriable', () => {
    expect(isRetriable(kafkaError(true))).toBe(true);
    expect(isRetriable(kafkaError(false))).toBe(false);
  });

  it('judges an error that gave up on a retriable failure by that failure, as KafkaJS does', () => {
    expect(isRetriable(kafkaError(false, kafkaError(true)))).toBe(true);
    expect(isRetriable(kafkaError(false, kafkaError(false, kafkaError(true))))).toBe(true);
    expect(isRetriable(kafkaError(false, kafkaError(false)))).toBe(false);
  });

  it('counts anything else as not retriable', () => {
    expect(isRetriable(new Error('plain'))).toBe(false);
    expect(isRetriable(new Error('plain', { cause: 'a string' }))).toBe(false);
    expect(isRetriable(undefined)).toBe(false);
    expect(isRetriable('text')).toBe(false);
  });
});
