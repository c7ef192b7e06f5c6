import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limiter.js';

describe('RateLimiter', () => {
  it('allows a burst, then refuses with the wait until the next token, per key', () => {
    let now = 0;
    const limiter = new RateLimiter<string>(10, 3, () => now);
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    expect(limiter.take('a')).toBe(100);
    expect(limiter.take('b')).toBeUndefined();
    now = 50;
    expect(limiter.take('a')).toBe(50);
    now = 100;
    expect(limiter.take('a')).toBeUndefined();
  });

  it('forgets buckets once they are full again', () => {
    let now = 0;
    const limiter = new RateLimiter<string>(10, 2, () => now);
    limiter.take('a');
    limiter.take('b');
    limiter.take('b');
    now = 100;
    limiter.sweep();
    expect(limiter.size).toBe(1);
    now = 200;
    limiter.sweep();
    expect(limiter.size).toBe(0);
  });
});
