import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limiter.js';

describe('RateLimiter', () => {
  it('allows a burst, then refuses with the wait until the next token, per key', () => {
    let now = 0;
    const limiter = new RateLimiter<string>(10, 3, { now: () => now });
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
    const limiter = new RateLimiter<string>(10, 2, { now: () => now });
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

  it('gives a key its share of the allowance, rate and burst, and at least one token', () => {
    let now = 0;
    let gateways = 2;
    const limiter = new RateLimiter<string>(10, 4, { now: () => now, shareOf: () => 1 / gateways });
    expect([limiter.take('a'), limiter.take('a')]).toEqual([undefined, undefined]);
    // Half of 10 a second: the next token comes in 200 ms, not 100.
    expect(limiter.take('a')).toBe(200);
    now = 200;
    expect(limiter.take('a')).toBeUndefined();
    gateways = 10;
    expect(limiter.take('b'), 'a share below one token still allows one').toBeUndefined();
    expect(limiter.take('b')).toBe(1000);
  });
});
