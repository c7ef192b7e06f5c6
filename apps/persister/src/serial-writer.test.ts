import { describe, expect, it } from 'vitest';
import { SerialWriter } from './serial-writer.js';

describe('SerialWriter', () => {
  it('never runs two jobs at once', async () => {
    const writer = new SerialWriter();
    let running = 0;
    let maxRunning = 0;
    const job = () =>
      writer.exclusive(async () => {
        running += 1;
        maxRunning = Math.max(maxRunning, running);
        await new Promise((resolve) => setTimeout(resolve, 5));
        running -= 1;
      });
    await Promise.all([job(), job(), job()]);
    expect(maxRunning).toBe(1);
  });

  it('merges batches queued behind a running job into one call, and gives each caller its own results', async () => {
    const writer = new SerialWriter();
    const calls: number[][] = [];
    const store = writer.merging(async (items: number[]) => {
      calls.push(items);
      await new Promise((resolve) => setTimeout(resolve, 5));
      return items.map((item) => item * 10);
    });
    const blocker = writer.exclusive(() => new Promise((resolve) => setTimeout(resolve, 20)));
    const [a, b, c] = await Promise.all([store([1, 2]), store([3]), store([4, 5])]);
    await blocker;
    expect(calls).toEqual([[1, 2, 3, 4, 5]]);
    expect([a, b, c]).toEqual([[10, 20], [30], [40, 50]]);
  });

  it('passes a failure to every caller of the merged job, and runs the next one', async () => {
    const writer = new SerialWriter();
    let fail = true;
    const store = writer.merging(async (items: number[]) => {
      if (fail) throw new Error('db down');
      return items;
    });
    await expect(Promise.all([store([1]), store([2])])).rejects.toThrow('db down');
    fail = false;
    await expect(store([3])).resolves.toEqual([3]);
  });
});
