import { describe, expect, it } from 'vitest';
import { pollUntil } from './poll.js';

describe('pollUntil', () => {
  it('resolves true once the condition holds', async () => {
    let checks = 0;
    await expect(pollUntil(() => ++checks >= 3, { timeoutMs: 1000, intervalMs: 1 })).resolves.toBe(true);
    expect(checks).toBe(3);
  });

  it('resolves false when the condition never holds within the timeout', async () => {
    const started = Date.now();
    await expect(pollUntil(async () => false, { timeoutMs: 30, intervalMs: 5 })).resolves.toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(30);
  });
});
