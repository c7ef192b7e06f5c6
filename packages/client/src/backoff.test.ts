import { describe, expect, it } from 'vitest';
import { retryDelay } from './backoff.js';

const options = { baseMs: 100, maxMs: 1000 };

describe('retryDelay', () => {
  it('doubles its ceiling with each attempt, up to maxMs, half fixed and half random', () => {
    expect([0, 1, 2, 3, 4, 10].map((attempt) => retryDelay(attempt, options, 0, () => 0))).toEqual([
      50, 100, 200, 400, 500, 500,
    ]);
    expect([0, 1, 2, 3, 4, 10].map((attempt) => retryDelay(attempt, options, 0, () => 1))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
  });

  it("never waits less than the server's retryAfterMs", () => {
    expect(retryDelay(0, options, 3000, () => 0.5)).toBe(3000);
    expect(retryDelay(3, options, 10, () => 0.5)).toBe(600);
  });

  it('spreads clients that retry at the same attempt', () => {
    const delays = new Set(Array.from({ length: 50 }, () => retryDelay(3, options)));
    expect(delays.size).toBeGreaterThan(10);
    for (const delay of delays) expect(delay).toBeGreaterThanOrEqual(400);
  });
});
